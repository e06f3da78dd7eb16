"""Template helpers shared by every screen: state badges, audit summaries, role checks."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core import permissions

register = template.Library()

@register.filter
def audit_summary(entry: Any) -> str:
    """One line for a timeline: 'created Work order WO-2026-000012', 'state: triaged → dispatched'."""
    model = entry.content_type.model_class()
    kind = str(model._meta.verbose_name) if model else entry.content_type.model
    if entry.action == "create":
        return _("created %(kind)s %(name)s") % {"kind": kind, "name": entry.object_repr}
    if entry.action == "transition":
        before, after = (entry.changes or {}).get("state", ["", ""])
        labels = _state_labels(model)
        return _("%(kind)s %(name)s: %(before)s → %(after)s") % {
            "kind": kind, "name": entry.object_repr,
            "before": labels.get(before, before), "after": labels.get(after, after),
        }
    fields = ", ".join(_field_label(model, f) for f in (entry.changes or {}))
    return _("%(kind)s %(name)s changed: %(fields)s") % {"kind": kind, "name": entry.object_repr, "fields": fields}


def _state_labels(model: Any) -> dict[str, str]:
    """Labels of the model's state values. A record may have more than one state machine (a bill's `state` and its
    `payment_status`); the audit entry names the states, so every choice field's labels are known, `state` first."""
    if model is None:
        return {}
    labels: dict[str, str] = {}
    for f in model._meta.concrete_fields:
        if f.choices and f.name != "state":
            labels.update({str(k): str(v) for k, v in f.flatchoices})
    state = next((f for f in model._meta.concrete_fields if f.name == "state"), None)
    if state is not None and state.choices:
        labels.update({str(k): str(v) for k, v in state.flatchoices})
    return labels


PSEUDO_FIELDS = {"parts": gettext_lazy("parts used")}


def _field_label(model: Any, name: str) -> str:
    if name in PSEUDO_FIELDS:
        return str(PSEUDO_FIELDS[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - pseudo-fields such as "parts"
        return name


@register.simple_tag
def badge(value: str, label: Any, kind: str = "state") -> str:
    return format_html('<span class="badge {}-{}">{}</span>', kind, value or "none", label or "—")


@register.filter
def can(user: Any, perm: str) -> bool:
    return permissions.has_perm(user, perm)
