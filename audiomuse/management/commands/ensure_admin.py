"""Create the admin user on first start; never touch an existing one."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the admin user (AUDIOMUSE_ADMIN_USER) if it does not exist."

    def handle(self, *args, **options):
        username = settings.AUDIOMUSE_ADMIN_USER
        users = get_user_model().objects
        if users.filter(username=username).exists():
            return
        password = settings.AUDIOMUSE_ADMIN_PASSWORD or secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        if settings.AUDIOMUSE_ADMIN_PASSWORD:
            self.stdout.write(f"Created admin user '{username}' with the password from AUDIOMUSE_ADMIN_PASSWORD.")
        else:
            self.stdout.write(
                f"Created admin user '{username}' with password: {password}\n"
                "This is shown only once; change it in the admin (or with 'manage.py changepassword')."
            )
