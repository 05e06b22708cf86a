"""Permissions shared by the API apps."""

from rest_framework.permissions import BasePermission


class IsStaff(BasePermission):
    """Admin-only operations: starting analysis, clustering or cleaning, cancelling, cron."""

    message = "Forbidden"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
