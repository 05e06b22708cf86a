"""HTTP API Server-rendered pages of the similarity app."""
