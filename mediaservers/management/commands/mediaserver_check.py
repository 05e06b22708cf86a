"""``manage.py mediaserver_check``: does the media server configuration work?

Prints the server type and URL (never a secret), the libraries, the album
count and the track counts of the first albums; exits non-zero with a
one-line error when the server cannot be reached or refuses us.
"""

from django.core.management.base import BaseCommand, CommandError

from mediaservers.adapters import adapter_for
from mediaservers.config import MediaServerConfig
from mediaservers.errors import MediaServerError


class Command(BaseCommand):
    help = "Connect to the configured media server and list its libraries and albums."

    def handle(self, *args, **options):
        config = MediaServerConfig.from_settings()
        try:
            with adapter_for(config) as adapter:
                report = adapter.check()
        except MediaServerError as exc:
            raise CommandError(f"{config.server_type}: {exc}") from None
        self.print_report(report)

    def print_report(self, report: dict) -> None:
        self.stdout.write(f"Server:       {report['server_type']} at {report['url']}")
        self.stdout.write(f"Libraries:    {', '.join(report['libraries']) or '(whole library)'}")
        self.stdout.write(f"Albums:       {report['album_count']}")
        self.stdout.write(f"Capabilities: {', '.join(report['capabilities'])}")
        for album in report["albums"]:
            artist = f"{album['artist']} - " if album["artist"] else ""
            self.stdout.write(f"  {artist}{album['name']}: {album['tracks']} tracks")
        self.stdout.write(self.style.SUCCESS("Media server OK"))
