from django.apps import AppConfig


class MediaServersConfig(AppConfig):
    name = "mediaservers"
