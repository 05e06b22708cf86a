"""`python manage.py up`: run the whole product in the foreground."""

import sys

from django.core.management.base import BaseCommand, CommandError

from audiomuse import launcher


class Command(BaseCommand):
    help = "Start embedded services (if needed), migrate, then run worker, beat and web until stopped."

    def handle(self, *args, **options):
        try:
            code = launcher.run(say=lambda line: self.stdout.write(line))
        except launcher.LaunchError as exc:
            raise CommandError(str(exc)) from None
        if code:
            sys.exit(code)
