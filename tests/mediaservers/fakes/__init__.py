"""Fake media servers speaking the real wire formats over loopback HTTP."""
