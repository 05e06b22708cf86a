"""Server-rendered pages of the scheduling app."""
