"""Reads (selectors) of the chat app."""
