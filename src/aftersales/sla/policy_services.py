"""Writes of SLA policies from the API: create a policy with its targets and escalation steps, or change it.

Kept apart from `sla.services` (the clocks) so the API can edit policies while the clock engine evolves; the lead
may fold these into `sla.services`. A policy change applies to clocks started afterwards; running clocks keep the
target they started with (recomputing them is `sla.services.clock_recompute`, with a recorded reason).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core import services as core_services
from aftersales.core.api_errors import field_error
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import CONFIGURE, require
from aftersales.sla import services as sla_services

from .models import EscalationStep, SlaPolicy, SlaTarget

POLICY_FIELDS = ("name", "description", "is_active", "request_type", "severity", "region_class", "customer")


def _check_targets(targets: list[dict[str, Any]]) -> None:
    kinds = [t["clock"] for t in targets]
    if len(kinds) != len(set(kinds)):
        raise ValidationFailed(errors=[field_error("targets", _("One target per clock."), "duplicate")])


@transaction.atomic
def policy_create(*, actor: Any, values: dict[str, Any], targets: list[dict[str, Any]]) -> SlaPolicy:
    """A new policy with its targets (each with its escalation steps), audited."""
    require(actor, CONFIGURE)
    _check_targets(targets)
    policy = core_services.create(SlaPolicy, actor=actor, **{k: v for k, v in values.items() if k in POLICY_FIELDS})
    _write_targets(policy, targets, actor)
    # Policies are cached per process for new requests' clocks; a change here is seen at once after commit.
    transaction.on_commit(sla_services.forget_policies)
    return policy


def _write_targets(policy: SlaPolicy, targets: list[dict[str, Any]], actor: Any) -> None:
    for data in targets:
        steps = data.get("escalations") or []
        target = core_services.create(
            SlaTarget, actor=actor, parent=policy, policy=policy, clock=data["clock"], minutes=data["minutes"],
            basis=data.get("basis") or "calendar", calendar_id=data.get("calendar"),
            recurring=bool(data.get("recurring")), pauses_while_waiting=bool(data.get("pauses_while_waiting")))
        EscalationStep.objects.bulk_create([
            EscalationStep(target=target, trigger=s["trigger"], value=s["value"], recipient=s["recipient"])
            for s in steps])


@transaction.atomic
def policy_update(*, actor: Any, policy: SlaPolicy, values: dict[str, Any],
                  targets: list[dict[str, Any]] | None = None, expected_version: int | None = None) -> SlaPolicy:
    """Change what a policy applies to, and optionally replace its targets; refuses a stale version."""
    require(actor, CONFIGURE)
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    changes = {k: v for k, v in values.items() if k in POLICY_FIELDS}
    # An explicit null for a criterion means "any", stored as blank (the columns are not nullable).
    for key in ("request_type", "severity", "region_class", "description"):
        if key in changes and changes[key] is None:
            changes[key] = ""
    for key in ("name", "is_active"):  # required values: null means "leave as it is"
        if key in changes and changes[key] is None:
            changes.pop(key)
    if targets is not None:
        _check_targets(targets)
    core_services.save_changes(policy, actor=actor, values=changes, expected_version=expected_version)
    if targets is not None:
        policy.targets.all().delete()
        _write_targets(policy, targets, actor)
    # Policies are cached per process for new requests' clocks; a change here is seen at once after commit.
    transaction.on_commit(sla_services.forget_policies)
    return policy
