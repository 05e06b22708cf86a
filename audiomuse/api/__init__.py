"""Project-wide API plumbing: authentication, error mapping, health."""
