"""acceptance slice."""
