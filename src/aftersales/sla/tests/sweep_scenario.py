"""A small world for the sweep and worker tests: one catch-all policy with an escalation ladder, and requests.

Used in-process by test_sweep.py and, through `python -m aftersales.sla.tests.sweep_scenario seed N`, by the
worker robustness tests, which seed a file database and then run real `aftersales worker` processes on it.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

# The ladder of every clock in this world: at 75 % warn the assignee, at breach tell the lead, 30 min after the
# breach the manager. Triage is due in 60 min, first contact in 120 min (all calendar time).
LADDER = [("percent", 75, "assignee"), ("after_breach", 0, "lead"), ("after_breach", 30, "manager")]
TARGETS = {"triage": 60, "first_contact": 120}


def make_policy() -> Any:
    from aftersales.sla.models import EscalationStep, SlaPolicy, SlaTarget

    SlaPolicy.objects.filter(name="sweep test policy").delete()
    SlaPolicy.objects.update(is_active=False)  # the seeded policies would be more specific than this catch-all
    policy = SlaPolicy.objects.create(name="sweep test policy", description="catch-all for the sweep tests")
    for kind, minutes in TARGETS.items():
        target = SlaTarget.objects.create(policy=policy, clock=kind, minutes=minutes, basis="calendar")
        for trigger, value, recipient in LADDER:
            EscalationStep.objects.create(target=target, trigger=trigger, value=value, recipient=recipient)
    return policy


def make_people() -> dict[str, Any]:
    from aftersales.core.testing import make_user, region_city

    city = region_city()
    return {
        "dispatcher": make_user("dispatcher"),
        "engineer": make_user("engineer", region=city),
        "lead": make_user("lead", region=city.province),
        "manager": make_user("manager"),
    }


def make_requests(count: int, *, created_at: dt.datetime | None = None) -> list[Any]:
    """`count` untriaged requests (triage and first-contact clocks running), all started at `created_at`."""
    from aftersales.core.testing import make_equipment, make_user
    from aftersales.sla.models import ClockEvent, SlaClock
    from aftersales.sla.services import clock_recompute

    agent = make_user("agent")
    unit = make_equipment()
    out = []
    for _ in range(count):
        from aftersales.core.testing import make_request

        request = make_request(actor=agent, equipment=unit)
        if created_at is not None:  # move the whole story back in time
            SlaClock.objects.filter(request=request).update(started_at=created_at)
            ClockEvent.objects.filter(clock__request=request).update(at=created_at)
            for clock in SlaClock.objects.filter(request=request):
                clock_recompute(clock=clock, actor=None, reason="test: moved back in time", now=created_at)
        out.append(request)
    return out


def expected_keys(clock_ids: list[int], people: dict[str, Any]) -> set[str]:
    """Every outbox key the ladder should produce for these clocks once all steps are due (inbox channel)."""
    who = {"assignee": people["dispatcher"], "lead": people["lead"], "manager": people["manager"]}
    return {f"{cid}:{trigger}:{value}:{recipient}:{who[recipient].pk}:inbox"
            for cid in clock_ids for trigger, value, recipient in LADDER}


def main(argv: list[str]) -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    if argv[0] == "seed":
        count, minutes_ago = int(argv[1]), int(argv[2])
        with transaction.atomic():
            make_policy()
            people = make_people()
            make_requests(count, created_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
        from aftersales.sla.models import SlaClock

        print(",".join(f"{k}={v.pk}" for k, v in people.items()))
        print(",".join(str(pk) for pk in SlaClock.objects.order_by("id").values_list("id", flat=True)))


if __name__ == "__main__":
    main(sys.argv[1:])
