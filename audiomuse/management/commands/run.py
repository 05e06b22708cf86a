"""`python manage.py run web|worker|beat`: one process of a multi-container deployment."""

from django.core.management.base import BaseCommand, CommandError

from audiomuse import launcher
from audiomuse.embedded import EmbeddedServiceError


class Command(BaseCommand):
    help = "Prepare and run one process (web, worker or beat) in the foreground, for containers."

    def add_arguments(self, parser):
        parser.add_argument("role", choices=launcher.ROLES)

    def handle(self, *args, role, **options):
        try:
            launcher.run_role(role, say=lambda line: self.stdout.write(line))
        except (launcher.LaunchError, EmbeddedServiceError) as exc:
            raise CommandError(str(exc)) from None
