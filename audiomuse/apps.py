from django.apps import AppConfig


class AudioMuseConfig(AppConfig):
    name = "audiomuse"
    verbose_name = "AudioMuse"
