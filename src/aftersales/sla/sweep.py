"""The sweep: every minute the worker looks at the clocks that are due and turns due escalations into messages.

    sweep(now=None, limit=500) -> int       # how many clocks were checked

How it stays cheap and safe:
- It reads only clocks whose indexed `next_check_at` is ≤ now (partial index `clock_due_idx`), oldest first, in
  batches, holding them with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL so two workers never check the same
  clock at once (SQLite serialises writers instead). Its cost grows with what is due, not with what is open.
- For each clock it calls `sla.services.clock_check(clock=…, now=…)`, which marks a breach, returns the escalation
  steps now due (recording them in `escalations_done`) and reschedules the clock. Those steps become outbox rows —
  one per recipient per channel, key f"{clock_id}:{step_key}:{recipient_id}:{channel}" — in the *same*
  transaction. A worker killed mid-batch rolls everything back, and the next sweep redoes it; a step that was
  somehow returned twice finds its key taken and adds nothing. Exactly once either way.
- Within a batch the messages are queued in the order of their thresholds' instants, so a worker that was down
  for hours sends the missed warnings in the order they should have gone out.
- A clock whose check raises is logged and skipped for this run (its savepoint rolled back); it is retried on
  the next sweep.

Recipients of a step: assignee = the engineers of the request's active work orders (dispatchers when nobody is
assigned yet, so the warning is not lost); lead = active regional leads of the request's province (managers when
the province has none); manager = active managers; dispatcher = active dispatchers.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from aftersales.notifications import services as notifications

from .choices import ClockKind, EscalationTrigger, Recipient
from .models import SlaClock

logger = logging.getLogger("aftersales.sla.sweep")

BATCH_SIZE = 100


@dataclass
class SweepResult:
    """What one sweep did: clocks checked, escalation steps fired, outbox rows added, clocks whose check failed."""

    clocks: int = 0
    escalations: int = 0
    messages: int = 0
    failed: int = 0


def sweep(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Check up to `limit` due clocks as of `now` (default: the current time); returns how many were checked."""
    return run_sweep(now=now, limit=limit).clocks


def run_sweep(*, now: dt.datetime | None = None, limit: int = 500, batch_size: int = BATCH_SIZE) -> SweepResult:
    """The sweep, reporting what it did (see the module docstring)."""
    now = now or timezone.now()
    result = SweepResult()
    seen: set[int] = set()
    while result.clocks < limit:
        size = min(batch_size, limit - result.clocks)
        with transaction.atomic():
            qs = (SlaClock.objects.filter(next_check_at__lte=now).exclude(pk__in=seen)
                  .order_by("next_check_at", "id").select_for_update(skip_locked=True, of=("self",)))
            clocks = list(qs[:size])
            if not clocks:
                break
            due: list[dict[str, Any]] = []
            for clock in clocks:
                seen.add(clock.pk)
                _test_pause()
                try:
                    with transaction.atomic():
                        steps = _clock_check(clock=clock, now=now)
                except Exception:
                    result.failed += 1
                    logger.exception("SLA sweep: checking clock %s failed; it is retried on the next sweep", clock.pk)
                    continue
                for step in steps:
                    due.append({**step, "at": _as_datetime(step.get("at")) or now,
                                "due_at": _as_datetime(step.get("due_at")), "_clock": clock})
            due.sort(key=lambda s: (s["at"], s["_clock"].pk))
            result.escalations += len(due)
            result.messages += _queue_messages(due)
        result.clocks += len(clocks)
    if result.clocks:
        logger.info("SLA sweep at %s: %s clocks, %s escalations, %s messages, %s failed", now.isoformat(),
                    result.clocks, result.escalations, result.messages, result.failed)
    return result


def _clock_check(*, clock: SlaClock, now: dt.datetime) -> list[dict[str, Any]]:
    from . import services

    return list(services.clock_check(clock=clock, now=now) or [])


def _as_datetime(value: Any) -> dt.datetime | None:
    """`clock_check` reports instants as ISO strings (JSON-friendly); accept datetimes too."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _test_pause() -> None:
    """Slow each clock check down, for the crash tests only (env AFTERSALES_SWEEP_TEST_PAUSE, seconds)."""
    pause = os.environ.get("AFTERSALES_SWEEP_TEST_PAUSE")
    if pause:
        time.sleep(float(pause))


# -- recipients ---------------------------------------------------------------------------------------------------

def recipients_for(request: Any, kind: str) -> list[Any]:
    """The people a step addresses on this request (see the module docstring for the fallbacks)."""
    from aftersales.fieldservice.choices import ACTIVE_STATES

    User = get_user_model()
    active = User.objects.filter(is_active=True).order_by("id")
    if kind == Recipient.ASSIGNEE:
        users = list(active.filter(work_orders__request_id=request.pk, work_orders__state__in=ACTIVE_STATES)
                     .distinct())
        return users or list(active.filter(role="dispatcher"))
    if kind == Recipient.LEAD:
        province_id = _province_id(request)
        users = list(active.filter(role="lead", region_id=province_id)) if province_id else []
        return users or list(active.filter(role="manager"))
    if kind == Recipient.MANAGER:
        return list(active.filter(role="manager"))
    if kind == Recipient.DISPATCHER:
        return list(active.filter(role="dispatcher"))
    logger.warning("SLA sweep: unknown recipient kind %r", kind)
    return []


def _province_id(request: Any) -> int | None:
    if getattr(request, "province_id", None):
        return request.province_id
    city = getattr(request, "city", None)
    if city is not None:
        return city.province.pk
    return None


# -- messages -----------------------------------------------------------------------------------------------------

def _event_key(step: dict[str, Any]) -> str:
    clock_id = step["_clock"].pk
    key = str(step.get("key") or step.get("step_id"))
    return key if key.startswith(f"{clock_id}:") else f"{clock_id}:{key}"


def _queue_messages(due: list[dict[str, Any]]) -> int:
    if not due:
        return 0
    from aftersales.servicedesk.models import ServiceRequest

    request_ids = {s["_clock"].request_id for s in due}
    requests = ServiceRequest.objects.select_related("customer", "province", "city").in_bulk(request_ids)
    cache: dict[tuple[int, str], list[Any]] = {}
    drafts: list[notifications.Draft] = []
    for step in due:
        clock = step["_clock"]
        request = requests[clock.request_id]
        kind = str(step.get("recipient_kind") or step.get("recipient"))
        users = cache.get((request.pk, kind))
        if users is None:
            users = cache[(request.pk, kind)] = recipients_for(request, kind)
        for user in users:
            drafts.append(_draft(user, step, clock, request))
    return notifications.enqueue(drafts)


def _url(request: Any) -> str:
    try:
        return reverse("servicedesk:detail", args=[request.pk])
    except NoReverseMatch:
        return ""


def _local(value: dt.datetime | None, user: Any) -> str:
    if value is None:
        return "—"
    try:
        tz = zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M")


def _draft(user: Any, step: dict[str, Any], clock: SlaClock, request: Any) -> notifications.Draft:
    """The message for one step to one person, in his language and time zone."""
    with translation.override(getattr(user, "language", None) or None):
        subject, body = message_text(step=step, clock=clock, request=request, user=user)
        return notifications.Draft(event_key=_event_key(step), recipient=user, subject=subject[:200], body=body,
                                   url=_url(request))


def message_text(*, step: dict[str, Any], clock: SlaClock, request: Any, user: Any) -> tuple[str, str]:
    """Subject and body of an escalation (call inside the recipient's language)."""
    kind = step.get("clock_kind") or clock.kind
    try:
        clock_label = str(ClockKind(kind).label)
    except ValueError:
        clock_label = str(kind)
    trigger = step.get("trigger")
    value = int(step.get("value") or 0)
    due_at = step.get("due_at") or clock.due_at
    due = _local(due_at, user)
    params = {"number": request.number, "clock": clock_label, "value": value, "due": due}
    if trigger == EscalationTrigger.AFTER_BREACH and value > 0:
        subject = gettext("%(number)s: %(clock)s still not met %(value)s min after the deadline") % params
    elif trigger == EscalationTrigger.AFTER_BREACH or value >= 100:
        subject = gettext("%(number)s: %(clock)s deadline missed (due %(due)s)") % params
    elif kind == ClockKind.PROGRESS_REPORT:
        subject = gettext("%(number)s: progress report to the customer due at %(due)s") % params
    else:
        subject = gettext("%(number)s: %(clock)s at %(value)s%% of its time, due %(due)s") % params
    lines = [
        f"{request.number} · {request.customer}",
        request.summary,
        gettext("Due: %(due)s") % params,
    ]
    if clock.estimated:
        lines.append(gettext("The deadline is estimated: the holiday table for that year is not official yet."))
    return subject, "\n".join(lines)


def pending_clocks(now: dt.datetime | None = None) -> Iterable[SlaClock]:
    """The clocks the next sweep would look at (for the admin and the tests)."""
    return SlaClock.objects.filter(next_check_at__lte=now or timezone.now()).order_by("next_check_at", "id")
