"""HTTP API Server-rendered pages of the analysis app."""
