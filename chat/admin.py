"""Admin registrations of the chat app."""
