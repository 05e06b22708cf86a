"""Writes (services) of the mediaservers app."""
