"""HTTP API Server-rendered pages of the chat app."""
