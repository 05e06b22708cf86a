"""API authentication: a session (browser) or `Authorization: Bearer <API_TOKEN>`.

The token is what the media-server plugins send. It acts as a staff user,
because the plugins also start and cancel tasks.
"""

from __future__ import annotations

import hmac

from rest_framework import authentication, exceptions

from common.config import setting


class ApiTokenUser:
    """The identity behind a valid API token; not stored in the database."""

    username = "api-token"
    pk = None
    id = None
    is_active = True
    is_staff = True
    is_superuser = False
    is_authenticated = True
    is_anonymous = False

    def __str__(self) -> str:
        return self.username

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, token = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        token = token.strip()
        if not token or not hmac.compare_digest(token.encode(), setting("API_TOKEN").encode()):
            raise exceptions.AuthenticationFailed("Invalid API token")
        return ApiTokenUser(), token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to requests without credentials.
        return self.keyword


class ApiSessionAuthentication(authentication.SessionAuthentication):
    """Session auth whose CSRF check applies to cookie-authenticated writes only.

    Bearer-token requests never reach this class (the token class answers
    first), so token POSTs are CSRF-exempt as the AudioMuse-AI clients expect.
    """
