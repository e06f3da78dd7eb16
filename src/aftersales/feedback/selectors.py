"""Reads of callbacks and complaints, scoped to the user: office roles see all, a regional lead his province's."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from aftersales.core.permissions import VIEW_CALLBACKS, VIEW_COMPLAINTS, has_perm, read_scope

from .choices import CallbackState, ComplaintState
from .models import Callback, Complaint

OPEN_COMPLAINT_STATES = (ComplaintState.OPEN, ComplaintState.INVESTIGATING, ComplaintState.ANSWERED)


def callbacks_for(user: Any) -> QuerySet[Callback]:
    """Callbacks the user may see: all for office roles, those of his province's requests for a lead."""
    scope, ids = read_scope(user, VIEW_CALLBACKS)
    return callbacks_in_scope(scope, *ids)


def callbacks_in_scope(scope: str, *ids: int) -> QuerySet[Callback]:
    """`callbacks_for` from the user's `read_scope` (an engineer's "own" reaches all callbacks he may view)."""
    from aftersales.servicedesk.models import ServiceRequest

    qs = Callback.objects.all()
    if scope == "none":
        return qs.none()
    if scope in ("region", "no-region"):
        # A correlated EXISTS keeps the plan driven from the (small) callback set, not the province's requests.
        province = ServiceRequest.objects.filter(province_id=ids[0] if ids else None)
        return qs.filter(Exists(province.filter(pk=OuterRef("request_id"))))
    return qs


def _province_requests(user: Any) -> QuerySet[Any]:
    from aftersales.servicedesk.models import ServiceRequest

    return ServiceRequest.objects.filter(province_id=user.region_id)


def complaints_for(user: Any) -> QuerySet[Complaint]:
    """Complaints the user may see; a lead sees those about his province's requests or customers."""
    qs = Complaint.objects.all()
    if not has_perm(user, VIEW_COMPLAINTS):
        return qs.none()
    if user.role == "lead":
        from aftersales.customers.models import Site

        in_province = Exists(Site.objects.filter(customer=OuterRef("customer_id"), province_id=user.region_id))
        about_mine = Exists(_province_requests(user).filter(pk=OuterRef("request_id")))
        return qs.filter(about_mine | Q(request__isnull=True) & in_province)
    return qs


def with_callback_relations(qs: QuerySet[Callback]) -> QuerySet[Callback]:
    return qs.select_related("request", "request__customer", "request__contact", "request__city", "done_by")


def callback_queue(user: Any, *, done: bool = False) -> QuerySet[Callback]:
    """The agent's queue: pending callbacks by due time; or the done ones, latest first (index state, due_at)."""
    qs = with_callback_relations(callbacks_for(user))
    if done:
        return qs.filter(state=CallbackState.DONE).order_by("-due_at", "-id")
    return qs.filter(state=CallbackState.PENDING).order_by("due_at", "id")


def complaint_list(user: Any, *, state: str = "") -> QuerySet[Complaint]:
    qs = complaints_for(user).select_related("customer", "request", "owner")
    if state == "active":
        qs = qs.filter(state__in=OPEN_COMPLAINT_STATES)
    elif state in ComplaintState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def complaint_detail(user: Any, pk: int) -> Complaint:
    """One complaint the user may see (DoesNotExist otherwise, which views turn into a 404)."""
    return complaints_for(user).select_related(
        "customer", "request", "request__customer", "callback", "callback__done_by", "owner"
    ).get(pk=pk)
