from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"

    def ready(self) -> None:
        # Registers the app's error -> HTTP status mapping.
        from scheduling import errors  # noqa: F401
