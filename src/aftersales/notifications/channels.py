"""How a message reaches a person: one interface, `send(message)`, whatever the channel.

The in-app inbox and email work today; SMS and WeChat plug in later as further `Channel` classes registered in
`CHANNELS` (the outbox already carries their channel names). A channel raises on failure; the outbox records the
error and tries again later (notifications/services.py).
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from .models import Notification, OutboxMessage


class ChannelUnavailable(Exception):
    """The channel cannot deliver this message (not configured, or the recipient has no address on it)."""


class Channel(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class InboxChannel:
    """The in-app inbox: one Notification per outbox row (a one-to-one link, so a second run adds nothing)."""

    def send(self, message: OutboxMessage) -> None:
        Notification.objects.get_or_create(
            outbox=message,
            defaults={"recipient_id": message.recipient_id, "subject": message.subject, "body": message.body,
                      "url": message.url},
        )


class EmailChannel:
    """Email through Django's mail backend: SMTP in production, the console in development."""

    def send(self, message: OutboxMessage) -> None:
        address = (message.recipient.email or "").strip()
        if not address:
            raise ChannelUnavailable("recipient has no email address")
        body = message.body
        if message.url:
            base = getattr(settings, "SITE_URL", "").rstrip("/")
            body = f"{body}\n\n{base}{message.url}"
        send_mail(message.subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


class NotConfiguredChannel:
    """SMS and WeChat: named in the model, delivered by a later capability."""

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, message: OutboxMessage) -> None:
        raise ChannelUnavailable(f"channel {self.name} is not configured")


CHANNELS: dict[str, Channel] = {
    "inbox": InboxChannel(),
    "email": EmailChannel(),
    "sms": NotConfiguredChannel("sms"),
    "wechat": NotConfiguredChannel("wechat"),
}


def send(message: OutboxMessage) -> None:
    """Deliver one outbox message through its channel; raises when it could not be delivered."""
    channel = CHANNELS.get(message.channel)
    if channel is None:
        raise ChannelUnavailable(f"unknown channel {message.channel}")
    channel.send(message)
