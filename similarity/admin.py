"""Admin registrations of the similarity app."""
