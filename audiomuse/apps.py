from django.apps import AppConfig


class AudioMuseConfig(AppConfig):
    name = "audiomuse"
    verbose_name = "AudioMuse"

    def ready(self) -> None:
        # Registers the API's authentication schemes with drf-spectacular.
        from audiomuse.api import schema  # noqa: F401
