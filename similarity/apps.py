from django.apps import AppConfig


class SimilarityConfig(AppConfig):
    name = "similarity"

    def ready(self) -> None:
        # Registers the app's error -> HTTP status mapping.
        from similarity import errors  # noqa: F401
