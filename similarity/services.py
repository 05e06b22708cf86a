"""Writes (services) of the similarity app."""
