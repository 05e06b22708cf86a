"""Models of the similarity app."""
