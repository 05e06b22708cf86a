"""Reads (selectors) of the similarity app."""
