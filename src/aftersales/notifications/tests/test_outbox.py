"""The outbox sends each message exactly once, per recipient and channel, and records and retries failures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from aftersales.core.testing import make_user
from aftersales.notifications import channels, services
from aftersales.notifications.models import Notification, OutboxMessage, OutboxState

pytestmark = pytest.mark.django_db


def test_notify_queues_inbox_always_and_email_when_the_user_has_an_address():
    with_mail = make_user("manager", email="boss@example.com")
    without = make_user("manager", email="")
    added = services.notify(event_key="7:step1", recipients=[with_mail, without], subject="S", body="B", url="/x/")
    assert added == 3
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert keys == {f"7:step1:{with_mail.pk}:inbox", f"7:step1:{with_mail.pk}:email", f"7:step1:{without.pk}:inbox"}


def test_notify_twice_adds_nothing_the_second_time():
    user = make_user("manager", email="boss@example.com")
    assert services.notify(event_key="e1", recipients=[user], subject="S", body="B") == 2
    assert services.notify(event_key="e1", recipients=[user], subject="S changed", body="B") == 0
    assert OutboxMessage.objects.count() == 2


def test_delivery_creates_the_inbox_message_and_sends_the_email_once():
    user = make_user("manager", email="boss@example.com")
    services.notify(event_key="e2", recipients=[user], subject="Deadline missed", body="R-1", url="/requests/1/")
    assert services.deliver_pending() == 2
    assert services.deliver_pending() == 0
    note = Notification.objects.get()
    assert (note.recipient, note.subject, note.url, note.read_at) == (user, "Deadline missed", "/requests/1/", None)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["boss@example.com"]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.SENT}


def test_the_inbox_channel_is_exactly_once_even_if_a_message_is_sent_twice():
    user = make_user("engineer")
    services.notify(event_key="e3", recipients=[user], subject="S", body="B")
    message = OutboxMessage.objects.get()
    channels.send(message)
    channels.send(message)
    assert Notification.objects.filter(recipient=user).count() == 1


def test_a_failure_is_recorded_and_retried_later_then_given_up(monkeypatch):
    user = make_user("manager", email="boss@example.com")
    services.notify(event_key="e4", recipients=[user], subject="S", body="B")

    def broken(message):
        raise OSError("connection refused")

    monkeypatch.setattr(channels.CHANNELS["email"], "send", broken)
    assert services.deliver_pending() == 1  # the inbox one
    email = OutboxMessage.objects.get(channel="email")
    assert (email.state, email.attempts) == (OutboxState.PENDING, 1)
    assert "connection refused" in email.last_error
    # Not retried at once, but after RETRY_AFTER.
    assert services.deliver_pending() == 0
    assert OutboxMessage.objects.get(channel="email").attempts == 1
    later = timezone.now() + services.RETRY_AFTER + dt.timedelta(seconds=1)
    for _ in range(services.MAX_ATTEMPTS - 1):
        services.deliver_pending(now=later)
        later += services.RETRY_AFTER + dt.timedelta(seconds=1)
    email.refresh_from_db()
    assert (email.state, email.attempts) == (OutboxState.FAILED, services.MAX_ATTEMPTS)
    # An administrator fixes the mail server and sends it again.
    monkeypatch.undo()
    assert services.outbox_resend(messages=[email]) == 1
    assert services.deliver_pending() == 1
    assert len(mail.outbox) == 1


def test_a_channel_that_cannot_reach_the_person_fails_at_once():
    user = make_user("manager", email="")
    OutboxMessage.objects.create(key="k:sms", recipient=user, channel="sms", subject="S", body="B")
    assert services.deliver_pending() == 0
    message = OutboxMessage.objects.get()
    assert message.state == OutboxState.FAILED and "not configured" in message.last_error


def test_texts_are_rendered_in_each_recipients_language():
    from django.utils.translation import get_language

    en = make_user("manager", language="en")
    zh = make_user("manager", language="zh-hans")
    services.notify(event_key="e5", recipients=[en, zh], subject=lambda: f"lang={get_language()}", body="B")
    subjects = dict(OutboxMessage.objects.values_list("recipient_id", "subject"))
    assert subjects[en.pk] == "lang=en" and subjects[zh.pk] == "lang=zh-hans"
