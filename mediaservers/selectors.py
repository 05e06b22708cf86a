"""Reads (selectors) of the mediaservers app."""
