"""The one change log. Services call `record_create`, `record_update`, `record_transition` inside their transaction.

Entries are chained per record (each stores the hash of the record's previous entry), so an edited or deleted
row breaks the chain and `verify_chain` finds it. Chaining per record, not globally, keeps writers to
different records from queueing behind one another.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .models import AuditEntry


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited values of a record: concrete fields, foreign keys as ids."""
    names = list(fields) if fields is not None else [
        f.name for f in instance._meta.concrete_fields if f.name not in {"id", "created_at", "updated_at", "version"}
    ]
    data: dict[str, Any] = {}
    for name in names:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = _jsonable(getattr(instance, attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def _digest(prev: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode()).hexdigest()


def _payload(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "action": entry.action,
        "verb": entry.verb,
        "ct": entry.content_type_id,
        "id": entry.object_id,
        "changes": entry.changes,
        "reason": entry.reason,
    }


def record(*, actor: Any, instance: models.Model, action: str, changes: dict[str, Any] | None = None,
           verb: str = "", reason: str = "", parent: models.Model | None = None,
           at: dt.datetime | None = None) -> AuditEntry:
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    prev_hash = ""
    if action != AuditEntry.Action.CREATE:
        prev_hash = (
            AuditEntry.objects.filter(content_type=ct, object_id=instance.pk)
            .order_by("-id").values_list("hash", flat=True).first() or ""
        )
    entry = AuditEntry(
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        verb=verb,
        content_type=ct,
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        changes=_jsonable(changes or {}),
        reason=reason,
        prev_hash=prev_hash,
    )
    if parent is not None:
        entry.parent_type = ContentType.objects.get_for_model(parent, for_concrete_model=True)
        entry.parent_id = parent.pk
    entry.hash = _digest(prev_hash, _payload(entry))
    entry.save(force_insert=True)
    return entry


def record_create(*, actor: Any, instance: models.Model, parent: models.Model | None = None,
                  verb: str = "created", reason: str = "") -> AuditEntry:
    return record(actor=actor, instance=instance, action=AuditEntry.Action.CREATE,
                  changes={k: [None, v] for k, v in snapshot(instance).items() if v not in (None, "")},
                  verb=verb, parent=parent, reason=reason)


def record_create_bulk(*, actor: Any, items: list[tuple[models.Model, models.Model | None]],
                       verb: str = "imported") -> None:
    """Audit entries for records just inserted in bulk (imports), hashed exactly as `record_create` does."""
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    entries = []
    for instance, parent in items:
        ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
        changes = {k: [None, v] for k, v in snapshot(instance).items() if v not in (None, "")}
        entry = AuditEntry(at=now, actor_id=actor_id, action=AuditEntry.Action.CREATE, verb=verb, content_type=ct,
                           object_id=instance.pk, object_repr=str(instance)[:200], changes=_jsonable(changes),
                           reason="", prev_hash="")
        if parent is not None:
            entry.parent_type = ContentType.objects.get_for_model(parent, for_concrete_model=True)
            entry.parent_id = parent.pk
        entry.hash = _digest("", _payload(entry))
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=1000)


def record_update(*, actor: Any, instance: models.Model, before: dict[str, Any], parent: models.Model | None = None,
                  verb: str = "updated", reason: str = "") -> AuditEntry | None:
    changes = diff(before, snapshot(instance, before.keys()))
    if not changes:
        return None
    return record(actor=actor, instance=instance, action=AuditEntry.Action.UPDATE, changes=changes,
                  verb=verb, parent=parent, reason=reason)


def record_transition(*, actor: Any, instance: models.Model, from_state: str, to_state: str, verb: str,
                      reason: str = "", parent: models.Model | None = None,
                      extra: dict[str, Any] | None = None) -> AuditEntry:
    changes: dict[str, Any] = {"state": [from_state, to_state]}
    if extra:
        changes.update(extra)
    return record(actor=actor, instance=instance, action=AuditEntry.Action.TRANSITION, changes=changes,
                  verb=verb, reason=reason, parent=parent)


def verify_chain(instance: models.Model) -> bool:
    """True when no entry of this record was altered, removed from the middle, or reordered."""
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    prev = ""
    for entry in AuditEntry.objects.filter(content_type=ct, object_id=instance.pk).order_by("id"):
        if entry.prev_hash != prev or entry.hash != _digest(prev, _payload(entry)):
            return False
        prev = entry.hash
    return True


def timeline(instance: models.Model) -> models.QuerySet[AuditEntry]:
    """The record's own entries and those of records filed under it, oldest first."""
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return timeline_of(ct.pk, instance.pk)


def timeline_of(content_type_id: int, object_id: int) -> models.QuerySet[AuditEntry]:
    """`timeline()` by keys (the form prepared queries build from)."""
    return (
        AuditEntry.objects.filter(models.Q(content_type_id=content_type_id, object_id=object_id)
                                  | models.Q(parent_type_id=content_type_id, parent_id=object_id))
        .select_related("actor", "content_type").order_by("id")
    )
