"""Server-rendered pages of the mediaservers app."""
