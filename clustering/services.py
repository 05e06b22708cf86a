"""Writes (services) of the clustering app."""
