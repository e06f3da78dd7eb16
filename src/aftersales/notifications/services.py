"""Telling people things, exactly once: the outbox, its delivery, and reading the in-app inbox.

Whoever has something to say (the SLA sweep today) calls `notify` with an event key; it adds one outbox row per
recipient per channel whose unique key is f"{event_key}:{recipient_id}:{channel}", so a second call for the same
event adds nothing. `deliver_pending` then sends pending rows in the order they were queued, marks them sent, and
records failures with their attempt count; a failed row is tried again after `RETRY_AFTER`, up to
`MAX_ATTEMPTS` times, then left as failed for an administrator to resend (admin: "Send again").

Exactly once: the inbox is exactly-once (the Notification is one-to-one with its outbox row); email is sent at
most once per successful run, but a worker killed between the SMTP hand-over and the commit may send it again on
the next run: SMTP offers no way to make that atomic.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from aftersales.core.errors import NotFound

from . import channels
from .models import Channel, Notification, OutboxMessage, OutboxState

logger = logging.getLogger("aftersales.notifications")

MAX_ATTEMPTS = 5
RETRY_AFTER = dt.timedelta(minutes=5)

Text = str | Callable[[], str] | Any  # a string, a lazy string, or a function returning one (called per recipient)


@dataclass(frozen=True)
class Draft:
    """One message to one person, before it is queued: the event it belongs to and its text."""

    event_key: str
    recipient: Any
    subject: str
    body: str
    url: str = ""


def channels_for(user: Any) -> list[str]:
    """The channels a person is reached on: the inbox always, email when he has an address."""
    result = [Channel.INBOX.value]
    if (getattr(user, "email", "") or "").strip():
        result.append(Channel.EMAIL.value)
    return result


def _render(text: Text) -> str:
    return str(text() if callable(text) else text)


def draft_for(user: Any, *, event_key: str, subject: Text, body: Text, url: str = "") -> Draft:
    """Render `subject` and `body` in the recipient's language (they may be lazy strings or callables)."""
    with translation.override(getattr(user, "language", None) or None):
        return Draft(event_key=event_key, recipient=user, subject=_render(subject)[:200], body=_render(body), url=url)


def outbox_key(event_key: str, recipient_id: int, channel: str) -> str:
    return f"{event_key}:{recipient_id}:{channel}"


def enqueue(drafts: Iterable[Draft]) -> int:
    """Queue drafts on every channel of each recipient, in the given order; returns how many rows are new.

    Idempotent: a key already in the outbox is skipped (and a concurrent insert of the same key is ignored by the
    database's unique constraint), so running the same event twice adds nothing.
    """
    rows: list[OutboxMessage] = []
    seen: set[str] = set()
    for d in drafts:
        for channel in channels_for(d.recipient):
            key = outbox_key(d.event_key, d.recipient.pk, channel)
            if key in seen:
                continue
            seen.add(key)
            rows.append(OutboxMessage(key=key, recipient=d.recipient, channel=channel, subject=d.subject,
                                      body=d.body, url=d.url[:300]))
    if not rows:
        return 0
    existing = set(OutboxMessage.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True))
    new = [r for r in rows if r.key not in existing]
    if new:
        OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def notify(*, event_key: str, recipients: Iterable[Any], subject: Text, body: Text, url: str = "") -> int:
    """Tell each recipient about one event, once per channel; texts are rendered in each recipient's language."""
    drafts = [draft_for(u, event_key=event_key, subject=subject, body=body, url=url) for u in recipients]
    return enqueue(drafts)


def _deliverable(now: dt.datetime) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(state=OutboxState.PENDING).filter(
        Q(attempts=0) | Q(updated_at__lte=now - RETRY_AFTER))


def deliver_pending(*, limit: int = 500, now: dt.datetime | None = None) -> int:
    """Send pending outbox rows, oldest first; returns how many were sent.

    Each row is sent in its own transaction holding the row (skipping rows another worker holds, on PostgreSQL),
    re-checked as still pending, and marked sent in the same transaction, so two workers never send one row twice.
    """
    now = now or timezone.now()
    ids = list(_deliverable(now).order_by("created_at", "id").values_list("id", flat=True)[:limit])
    sent = 0
    for pk in ids:
        with transaction.atomic():
            message = (OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("recipient").filter(pk=pk, state=OutboxState.PENDING).first())
            if message is None:  # sent by another worker meanwhile, or held by it right now
                continue
            message.attempts += 1
            try:
                with transaction.atomic():
                    channels.send(message)
            except Exception as exc:  # noqa: BLE001 - any channel failure is recorded and retried
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= MAX_ATTEMPTS or isinstance(exc, channels.ChannelUnavailable):
                    message.state = OutboxState.FAILED
                logger.warning("outbox %s: attempt %s failed: %s", message.key, message.attempts, exc)
                message.save(update_fields=["attempts", "last_error", "state", "updated_at"])
                continue
            message.state = OutboxState.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "last_error", "state", "sent_at", "updated_at"])
            sent += 1
    return sent


def outbox_resend(*, messages: Iterable[OutboxMessage]) -> int:
    """Put failed messages back in the queue (an administrator fixed the address or the mail server)."""
    ids = [m.pk for m in messages if m.state == OutboxState.FAILED]
    return OutboxMessage.objects.filter(pk__in=ids, state=OutboxState.FAILED).update(
        state=OutboxState.PENDING, attempts=0, updated_at=timezone.now())


def inbox_mark_read(*, user: Any, notification: Notification) -> Notification:
    """Mark one of the user's own messages read (someone else's is refused by the caller's scoped lookup)."""
    if notification.recipient_id != user.pk:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def inbox_mark_all_read(*, user: Any) -> int:
    """Mark every unread message of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
