"""Reads (selectors) of the clustering app."""
