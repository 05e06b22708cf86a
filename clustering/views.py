"""Server-rendered pages of the clustering app."""
