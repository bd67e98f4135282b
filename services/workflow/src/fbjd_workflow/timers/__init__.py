"""Timers (时限): persistent due times of the process; they survive restarts and fire once."""
