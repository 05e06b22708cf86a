"""HTTP API Server-rendered pages of the mediaservers app."""
