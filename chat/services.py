"""Writes (services) of the chat app."""
