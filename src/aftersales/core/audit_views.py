"""The audit trail on screen: the latest changes with filters, one record's history, and its chain check.

Who may read what: the audit trail shows the records' names and values, so a regional lead sees only the entries
of his province's service requests and of the records filed under them; other roles holding VIEW_AUDIT see all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from . import audit
from .forms import DayField
from .models import AuditEntry
from .permissions import VIEW_AUDIT, has_perm
from .views import page_number, permission_required

PAGE_SIZE = 50


def _audited_apps() -> tuple[str, ...]:
    """Every bounded context of the product keeps its changes in the one trail, so every one is listed."""
    from django.apps import apps

    return tuple(sorted(c.label for c in apps.get_app_configs() if c.name.startswith("aftersales.")))


RECORD_HISTORY_LIMIT = 500


def _scoped(path: str) -> Callable[[Any], QuerySet[Any]]:
    """Import a selector lazily: core must not import the context apps at module load."""

    def get(user: Any) -> QuerySet[Any]:
        module, name = path.rsplit(".", 1)
        return getattr(__import__(module, fromlist=[name]), name)(user)

    return get


# Records that have a page of their own: its URL name and the selector that says whether the user may open it.
RECORD_PAGES: dict[str, tuple[str, Callable[[Any], QuerySet[Any]]]] = {
    "servicedesk.servicerequest": ("servicedesk:detail", _scoped("aftersales.servicedesk.selectors.requests_for")),
    "fieldservice.workorder": ("fieldservice:detail", _scoped("aftersales.fieldservice.selectors.work_orders_for")),
    "customers.customer": ("customers:detail", _scoped("aftersales.customers.selectors.customers_for")),
    "feedback.complaint": ("feedback:complaint", _scoped("aftersales.feedback.selectors.complaints_for")),
    "feedback.callback": ("feedback:callback", _scoped("aftersales.feedback.selectors.callbacks_for")),
    "contracts.contract": ("contracts:detail", _scoped("aftersales.contracts.selectors.contracts_for")),
    "billing.bill": ("billing:detail", _scoped("aftersales.billing.selectors.bills_for")),
    "billing.quote": ("billing:quote", _scoped("aftersales.billing.selectors.quotes_for")),
    "inventory.part": ("inventory:part", _scoped("aftersales.inventory.selectors.parts_for")),
    "inventory.stocklocation": ("inventory:location", _scoped("aftersales.inventory.selectors.locations_for")),
    "inventory.purchaserequest": ("inventory:purchase_detail",
                                  _scoped("aftersales.inventory.selectors.purchase_requests_for")),
    "rma.rmacase": ("rma:detail", _scoped("aftersales.rma.selectors.cases_for")),
    "returns.returnrequest": ("returns:detail", _scoped("aftersales.returns.selectors.returns_for")),
    "returns.recallcampaign": ("returns:recall_detail", _scoped("aftersales.returns.selectors.campaigns_for")),
}


def audit_entries_for(user: Any) -> QuerySet[AuditEntry]:
    """Audit entries the user may read (see the module docstring)."""
    qs = AuditEntry.objects.all()
    if not has_perm(user, VIEW_AUDIT):
        return qs.none()
    if user.role == "lead":
        from aftersales.servicedesk.models import ServiceRequest

        sr_type = ContentType.objects.get_for_model(ServiceRequest)
        mine = ServiceRequest.objects.filter(province_id=user.region_id)
        # Correlated EXISTS: one primary-key probe per entry read, newest first; an IN (subquery) inside OR
        # would make PostgreSQL materialise the province's requests and scan them for every entry.
        in_province = Q(content_type=sr_type) & Exists(mine.filter(pk=OuterRef("object_id")))
        under_province = Q(parent_type=sr_type) & Exists(mine.filter(pk=OuterRef("parent_id")))
        return qs.filter(in_province | under_province)
    return qs


def _record_url(content_type_id: int | None, object_id: int | None) -> str:
    if not content_type_id or object_id is None:
        return ""
    ct = ContentType.objects.get_for_id(content_type_id)
    page = RECORD_PAGES.get(f"{ct.app_label}.{ct.model}")
    if page is None:
        return ""
    try:
        return reverse(page[0], args=[object_id])
    except NoReverseMatch:  # the page is not built (yet)
        return ""


def entry_link(entry: AuditEntry) -> str:
    """The page of the entry's record, else of the record it is filed under, else its history in the audit trail."""
    return (_record_url(entry.content_type_id, entry.object_id)
            or _record_url(entry.parent_type_id, entry.parent_id)
            or reverse("core:audit_record", args=[entry.content_type_id, entry.object_id]))


def _record_types() -> QuerySet[ContentType]:
    return ContentType.objects.filter(app_label__in=_audited_apps()).order_by("app_label", "model")


class AuditFilterForm(forms.Form):
    """Filters of the audit trail: who, which kind of record, which days. Invalid values are ignored."""

    actor = forms.ModelChoiceField(label=_("By"), required=False, queryset=None,  # type: ignore[arg-type]
                                   empty_label=_("Anyone"))
    record_type = forms.ModelChoiceField(label=_("Record type"), required=False, queryset=None,  # type: ignore[arg-type]
                                         empty_label=_("Any"))
    date_from = DayField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DayField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = get_user_model().objects.order_by("username")
        self.fields["record_type"].queryset = _record_types()
        self.fields["record_type"].label_from_instance = lambda ct: (
            str(ct.model_class()._meta.verbose_name).capitalize() if ct.model_class() else ct.model)

    def has_dates(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data.get("date_from") or self.cleaned_data.get("date_to"))

    def apply(self, qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("actor"):
            qs = qs.filter(actor=data["actor"])
        if data.get("record_type"):
            qs = qs.filter(content_type=data["record_type"])
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tz))
        if data.get("date_to"):
            qs = qs.filter(at__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min, tz))
        return qs


MAX_PAGE = 200  # deeper than 10,000 entries: narrow the filter instead


@require_GET
@permission_required(VIEW_AUDIT)
def audit_list(request: HttpRequest) -> HttpResponse:
    """The latest changes across the system, newest first, filtered and paginated.

    The trail holds millions of entries, so the page is not counted: it reads one row more than it shows to
    know whether there is a next page.
    """
    form = AuditFilterForm(request.GET or None)
    qs = form.apply(audit_entries_for(request.user)).select_related("actor", "content_type")
    # Newest first. With a date filter, order by time so that an index on `at` (requested) can serve the range.
    qs = qs.order_by("-at", "-id") if form.has_dates() else qs.order_by("-id")
    number = min(page_number(request), MAX_PAGE)
    start = (number - 1) * PAGE_SIZE
    rows = list(qs[start:start + PAGE_SIZE + 1])
    entries = rows[:PAGE_SIZE]
    for entry in entries:
        entry.link = entry_link(entry)
        entry.history_url = reverse("core:audit_record", args=[entry.content_type_id, entry.object_id])
    page = {"results": entries, "page": number, "has_previous": number > 1,
            "has_next": len(rows) > PAGE_SIZE and number < MAX_PAGE}
    return render(request, "core/audit_list.html", {"form": form, "page": page})


def _record_or_404(request: HttpRequest, content_type_id: int, object_id: int) -> tuple[ContentType, str]:
    """The record's type and its page URL, if the user may see the record; else 404."""
    try:
        ct = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist:
        raise Http404
    if ct.app_label not in _audited_apps() or ct.model_class() is None:
        raise Http404
    page = RECORD_PAGES.get(f"{ct.app_label}.{ct.model}")
    if page is not None:
        if not page[1](request.user).filter(pk=object_id).exists():
            raise Http404
    elif not audit_entries_for(request.user).filter(content_type=ct, object_id=object_id).exists():
        raise Http404
    return ct, _record_url(ct.pk, object_id)


def _record_context(request: HttpRequest, ct: ContentType, object_id: int, record_url: str) -> dict[str, Any]:
    entries = list(AuditEntry.objects.filter(content_type=ct, object_id=object_id)
                   .select_related("actor", "content_type").order_by("id")[:RECORD_HISTORY_LIMIT])
    model = ct.model_class()
    return {
        "ct": ct, "object_id": object_id, "record_url": record_url, "entries": entries,
        "kind": str(model._meta.verbose_name) if model else ct.model,
        "name": entries[-1].object_repr if entries else f"#{object_id}",
        "truncated": len(entries) == RECORD_HISTORY_LIMIT,
    }


@require_GET
@permission_required(VIEW_AUDIT)
def audit_record(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    """One record's own history, oldest first, with the chain check."""
    ct, record_url = _record_or_404(request, content_type_id, object_id)
    return render(request, "core/audit_record.html", _record_context(request, ct, object_id, record_url))


@require_GET
@permission_required(VIEW_AUDIT)
def audit_verify(request: HttpRequest, content_type_id: int, object_id: int) -> HttpResponse:
    """Check the record's hash chain: intact, or altered / removed / reordered entries."""
    ct, record_url = _record_or_404(request, content_type_id, object_id)
    model = ct.model_class()
    intact = audit.verify_chain(model(pk=object_id))  # type: ignore[misc]  # only the type and pk are read
    result = {"intact": intact, "checked_at": timezone.now()}
    if request.headers.get("HX-Request"):
        return render(request, "core/partials/chain_result.html", result)
    context = _record_context(request, ct, object_id, record_url)
    context.update(result=result)
    return render(request, "core/audit_record.html", context)
