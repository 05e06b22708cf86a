"""Admin registrations of the mediaservers app."""
