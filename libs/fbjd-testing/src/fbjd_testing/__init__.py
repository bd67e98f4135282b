"""Test fixtures shared by every fbjd member (a pytest plugin, loaded automatically)."""
