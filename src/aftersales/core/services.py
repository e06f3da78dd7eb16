"""Write helpers every context's services use: compare-and-swap updates and audited transitions."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone

from . import audit
from .errors import StaleVersion
from .statemachine import StateMachine

M = TypeVar("M", bound=models.Model)


def _write(instance: Any, values: dict[str, Any], expected_version: int | None) -> None:
    """Write `values` only if nobody changed the row since `expected_version` (or since we read it)."""
    version = instance.version if expected_version is None else expected_version
    if expected_version is not None and expected_version != instance.version:
        raise StaleVersion(current_version=instance.version)
    now = timezone.now()
    rows = type(instance)._base_manager.filter(pk=instance.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=now
    )
    if rows != 1:
        raise StaleVersion(current_version=None)
    for name, value in values.items():
        setattr(instance, name, value)
    instance.version = version + 1
    instance.updated_at = now


def save_changes(instance: M, *, actor: Any, values: dict[str, Any], expected_version: int | None = None,
                 verb: str = "updated", reason: str = "", parent: models.Model | None = None) -> M:
    """Update fields of a versioned record, refusing a stale write, and record the change. Call inside atomic()."""
    before = audit.snapshot(instance, values.keys())
    _write(instance, values, expected_version)
    audit.record_update(actor=actor, instance=instance, before=before, verb=verb, reason=reason, parent=parent)
    return instance


def transition(instance: M, *, machine: StateMachine, action: str, actor: Any, values: dict[str, Any] | None = None,
               expected_version: int | None = None, reason: str = "", parent: models.Model | None = None,
               state_field: str = "state") -> M:
    """Move a record along its state machine, refusing what the table does not allow. Call inside atomic()."""
    current = getattr(instance, state_field)
    target = machine.target(action, current)
    extra_before = audit.snapshot(instance, (values or {}).keys())
    _write(instance, {state_field: target, **(values or {})}, expected_version)
    extra = audit.diff(extra_before, audit.snapshot(instance, (values or {}).keys()))
    audit.record_transition(actor=actor, instance=instance, from_state=current, to_state=target, verb=action,
                            reason=reason, parent=parent, extra=extra)
    return instance


def create(model: type[M], *, actor: Any, parent: models.Model | None = None, **values: Any) -> M:
    """Insert a record and its audit entry. Call inside atomic()."""
    instance = model(**values)
    instance.save(force_insert=True)
    audit.record_create(actor=actor, instance=instance, parent=parent)
    return instance
