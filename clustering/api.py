"""HTTP API Server-rendered pages of the clustering app."""
