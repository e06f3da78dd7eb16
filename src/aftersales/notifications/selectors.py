"""Reads of the in-app inbox, always scoped to the signed-in user: nobody sees another's messages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Notification


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's own messages, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
