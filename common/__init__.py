"""Small pieces every app may use; this package imports no app and no part of the project package."""
