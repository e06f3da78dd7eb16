"""The seeds' commitments as SLA policies (domain reference §3, issue 3), installed on a fresh system.

Each policy is a full set of targets: the most specific matching policy wins on its own, so a specific policy
repeats the general promises (triage, callback, complaint answer) next to its own.  Hour promises run in calendar
time (the domain reference reads docs 2 and 4 as calendar hours; an administrator can switch a target to working
time); "N working days" runs in working time on the default calendar (N × 8 working hours of the office day
08:30–12:00, 13:30–18:00).  The names are seed data (bilingual, as the calendars' are), editable afterwards.

`DEFAULT_POLICIES` is plain data so the data migration `0003_default_policies` can hold its own copy.
"""

from __future__ import annotations

from typing import Any

# The escalation ladder every seeded target gets: at 75 % warn the assignee, at the breach the regional lead,
# 30 minutes after the breach the managers.
LADDER: list[tuple[str, int, str]] = [("percent", 75, "assignee"), ("after_breach", 0, "lead"),
                                      ("after_breach", 30, "manager")]

H = 60
WORKING_DAY = 8 * H  # the office day's working minutes


def _t(clock: str, minutes: int, basis: str = "calendar", *, recurring: bool = False,
       pauses: bool = False) -> dict[str, Any]:
    return {"clock": clock, "minutes": minutes, "basis": basis, "recurring": recurring,
            "pauses_while_waiting": pauses}


TRIAGE = _t("triage", 1 * H)
FIRST_CONTACT = _t("first_contact", 2 * H)
CALLBACK = _t("callback", 24 * H)
COMPLAINT_IN_CALLBACK = _t("complaint_answer", 4 * H)
COMPLAINT_ANSWER = _t("complaint_answer", 5 * WORKING_DAY, "working")

DEFAULT_POLICIES: list[dict[str, Any]] = [
    {"name": "基本承诺 / Baseline: all requests",
     "description": "Triage within 1 h; general problems contacted within 2 h; callback within 24 h of "
                    "resolution; a complaint found in a callback with the head within 4 h.",
     "criteria": {},
     "targets": [TRIAGE, FIRST_CONTACT, CALLBACK, COMPLAINT_IN_CALLBACK]},
    {"name": "一般维修·同城 / General repair, same city",
     "description": "On site within 6 h when the site is in the serving centre's city.",
     "criteria": {"request_type": "repair", "severity": "general", "region_class": "same_city"},
     "targets": [TRIAGE, FIRST_CONTACT, _t("on_site", 6 * H), CALLBACK, COMPLAINT_IN_CALLBACK]},
    {"name": "一般维修·同省 / General repair, same province",
     "description": "On site within 12 h when the site is in the serving centre's province.",
     "criteria": {"request_type": "repair", "severity": "general", "region_class": "same_province"},
     "targets": [TRIAGE, FIRST_CONTACT, _t("on_site", 12 * H), CALLBACK, COMPLAINT_IN_CALLBACK]},
    {"name": "一般维修·外省 / General repair, other province",
     "description": "On site within 24 h when the site is in another province.",
     "criteria": {"request_type": "repair", "severity": "general", "region_class": "other_province"},
     "targets": [TRIAGE, FIRST_CONTACT, _t("on_site", 24 * H), CALLBACK, COMPLAINT_IN_CALLBACK]},
    {"name": "重要问题 / Important problem",
     "description": "Head and experts notified at once (review meeting within 30 min — not a clock); engineer on "
                    "site within 24 h; a progress report every 2 h until solved.",
     "criteria": {"severity": "important"},
     "targets": [TRIAGE, FIRST_CONTACT, _t("on_site", 24 * H), _t("progress_report", 2 * H, recurring=True),
                 CALLBACK, COMPLAINT_IN_CALLBACK]},
    {"name": "紧急问题 / Urgent problem",
     "description": "An emergency team on site within 1 h.",
     "criteria": {"severity": "urgent"},
     "targets": [TRIAGE, FIRST_CONTACT, _t("on_site", 1 * H), CALLBACK, COMPLAINT_IN_CALLBACK]},
    {"name": "咨询反馈 / Inquiry",
     "description": "Feedback answered within 8 h.",
     "criteria": {"request_type": "inquiry"},
     "targets": [TRIAGE, _t("resolution", 8 * H, pauses=True), CALLBACK, COMPLAINT_IN_CALLBACK]},
    {"name": "建议反馈 / Suggestion",
     "description": "Feedback answered within 8 h.",
     "criteria": {"request_type": "suggestion"},
     "targets": [TRIAGE, _t("resolution", 8 * H, pauses=True), CALLBACK, COMPLAINT_IN_CALLBACK]},
    {"name": "投诉 / Complaint",
     "description": "Complaints answered within 5 working days.",
     "criteria": {"request_type": "complaint"},
     "targets": [TRIAGE, FIRST_CONTACT, COMPLAINT_ANSWER, CALLBACK]},
]


def install(policy_model: Any, target_model: Any, step_model: Any, calendar_model: Any | None = None) -> int:
    """Create the seeded policies that do not exist yet (by name), with targets and ladders; returns how many.

    Takes the model classes so the data migration can pass its historical models."""
    created = 0
    for spec in DEFAULT_POLICIES:
        if policy_model.objects.filter(name=spec["name"]).exists():
            continue
        policy = policy_model.objects.create(name=spec["name"], description=spec["description"], is_active=True,
                                             **spec["criteria"])
        for t in spec["targets"]:
            target = target_model.objects.create(policy=policy, **t)
            step_model.objects.bulk_create(
                step_model(target=target, trigger=trigger, value=value, recipient=recipient)
                for trigger, value, recipient in LADDER)
        created += 1
    return created


def install_default_policies() -> int:
    """Install the seeds' policies (idempotent: existing names are left as the administrator edited them)."""
    from .models import EscalationStep, SlaPolicy, SlaTarget

    return install(SlaPolicy, SlaTarget, EscalationStep)
