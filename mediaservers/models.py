"""Models of the mediaservers app."""
