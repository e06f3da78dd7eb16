"""SLA screens: the clocks on a request page, requests at risk or breached, and the manager's compliance report.

Thin: reads start from the user's scoped selectors (`servicedesk.selectors`, `sla.selectors`), writes are service
calls (`sla.services.progress_report_record`, `servicedesk.services.request_record_contact`).
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from aftersales.accounts.models import User
from aftersales.core.api import paginate
from aftersales.core.errors import DomainError
from aftersales.core.forms import DayField
from aftersales.core.permissions import FIELD_WORK, PROGRESS_REQUESTS, VIEW_AUDIT, VIEW_REQUESTS, has_perm
from aftersales.core.prepared import PreparedQuery
from aftersales.core.views import error_text, permission_required, positive_int
from aftersales.servicedesk import selectors as desk_selectors
from aftersales.servicedesk.models import ServiceRequest

from . import display
from .choices import ClockKind
from .models import ProgressReport

PAGE_SIZE = 25
REPORT_TEXT_MAX = 4000

# Who may read the compliance report: managers (and administrators) for everything, a regional lead for his
# province (the selector scopes him). Agents and dispatchers also hold VIEW_AUDIT, so the role is checked too.
COMPLIANCE_ROLES = frozenset({"manager", "admin", "lead"})
# Who may record a progress report or a contact: the office roles that move requests, and the engineer on his job.
REPORTING_PERMS = (PROGRESS_REQUESTS, FIELD_WORK)


def may_view_compliance(user: Any) -> bool:
    return has_perm(user, VIEW_AUDIT) and getattr(user, "role", "") in COMPLIANCE_ROLES


def may_report_progress(user: Any) -> bool:
    return any(has_perm(user, perm) for perm in REPORTING_PERMS)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _get_request(user: Any, pk: int) -> ServiceRequest:
    sr = desk_selectors.requests_for(user).filter(pk=pk).first()
    if sr is None:
        raise Http404
    return sr


# ---------------------------------------------------------------------------------------------------------------
# Clocks on the request page


class ProgressReportForm(forms.Form):
    """What the engineer or the desk told the customer about an important problem (every 2 hours)."""

    text = forms.CharField(label=gettext_lazy("Progress report"), max_length=REPORT_TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


def clock_rows(user: Any, sr: ServiceRequest, now: dt.datetime | None = None) -> list[display.ClockView]:
    """The clocks of a request the caller read through the user's scope (`requests_for`), dressed for people, with
    their events (two queries: the clocks, their events with actors)."""
    from . import selectors

    now = now or timezone.now()
    rows = [display.present_selected(v, now) for v in selectors.clocks_for_request(user, sr, now=now, scoped=True)]
    for row in rows:
        row.events = list(row.clock.events.all())  # prefetched, in the model's order (clock, at, id)
    order = {display.Status.BREACHED: 0, display.Status.AT_RISK: 1, display.Status.ON_TRACK: 2,
             display.Status.PAUSED: 3, display.Status.MET: 4, display.Status.CANCELLED: 5}
    rows.sort(key=lambda r: (order.get(r.status, 9), r.clock.due_at or now, r.clock.kind, r.clock.sequence))
    return rows


def clocks_context(user: Any, sr: ServiceRequest, *, form: ProgressReportForm | None = None) -> dict[str, Any]:
    """What `sla/partials/clocks.html` needs: the clocks, and the progress-report and contact actions if allowed."""
    rows = clock_rows(user, sr)
    # Not yet stopped (a clock past its deadline is "breached" but still waits for its event).
    open_kinds = {r.clock.kind for r in rows if r.clock.stopped_at is None and r.clock.state != "cancelled"}
    can_report = may_report_progress(user) and sr.state not in ("resolved", "closed", "cancelled")
    return {
        "sr": sr,
        "clock_rows": rows,
        "progress_form": (form or ProgressReportForm()) if can_report and (
            ClockKind.PROGRESS_REPORT in open_kinds or sr.severity == "important") else None,
        "can_record_contact": can_report and ClockKind.FIRST_CONTACT in open_kinds,
        "recent_reports": _RECENT_REPORTS("card", sr.pk),
    }


_RECENT_REPORTS = PreparedQuery(lambda shape, request_id: ProgressReport.objects.filter(request_id=request_id)
                                .select_related("author").only("id", "request_id", "reported_at", "text", "author_id",
                                                               *(f"author__{f}" for f in User.LABEL_FIELDS))
                                .order_by("-reported_at")[:3])


@require_safe
@permission_required(VIEW_REQUESTS)
def request_clocks(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the clocks card of one request, refreshed in place."""
    sr = _get_request(request.user, pk)
    return render(request, "sla/partials/clocks.html", clocks_context(request.user, sr))


def _after_write(request: HttpRequest, sr: ServiceRequest, form: ProgressReportForm | None = None,
                 status: int = 200) -> HttpResponse:
    if _is_htmx(request):
        return render(request, "sla/partials/clocks.html", clocks_context(request.user, sr, form=form),
                      status=status)
    return redirect(reverse("servicedesk:detail", args=[sr.pk]) + "#clocks")


@require_POST
@permission_required(VIEW_REQUESTS)
def progress_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a progress report to the customer: the current report clock is met and the next one starts."""
    from . import services

    sr = _get_request(request.user, pk)
    if not may_report_progress(request.user):
        return render(request, "403.html", status=403)
    form = ProgressReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what the customer was told."))
        return _after_write(request, sr, form, status=400)
    try:
        services.progress_report_record(request=sr, actor=request.user, text=form.cleaned_data["text"])
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return _after_write(request, sr, form, status=exc.status if exc.status < 500 else 400)
    messages.success(request, _("Progress report recorded."))
    return _after_write(request, sr)


@require_POST
@permission_required(VIEW_REQUESTS)
def record_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the customer was contacted: the first-contact clock stops."""
    from aftersales.servicedesk import services as desk_services

    sr = _get_request(request.user, pk)
    if not may_report_progress(request.user):
        return render(request, "403.html", status=403)
    try:
        desk_services.request_record_contact(actor=request.user, request=sr)  # type: ignore[attr-defined]
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return _after_write(request, sr, status=exc.status if exc.status < 500 else 400)
    messages.success(request, _("Contact with the customer recorded."))
    return _after_write(request, sr)


# ---------------------------------------------------------------------------------------------------------------
# Requests by clock state, and the compliance report's drill-down


CLOCK_STATUS_CHOICES = [
    ("at_risk", gettext_lazy("At risk")),
    ("breached", gettext_lazy("Breached")),
    ("met", gettext_lazy("Met")),
    ("finished", gettext_lazy("Met or breached")),
]
GROUPS = {
    "clock": gettext_lazy("Clock"),
    "severity": gettext_lazy("Severity"),
    "region": gettext_lazy("Province"),
    "engineer": gettext_lazy("Engineer"),
    "month": gettext_lazy("Month"),
    "type": gettext_lazy("Type"),
}


class ClockListForm(forms.Form):
    """Filters of the at-risk list and of a compliance cell's drill-down; every key is allowlisted."""

    clock = forms.ChoiceField(label=gettext_lazy("Clock state"), required=False, choices=CLOCK_STATUS_CHOICES)
    kind = forms.ChoiceField(label=gettext_lazy("Clock"), required=False,
                             choices=[("", gettext_lazy("Any"))] + list(ClockKind.choices))
    severity = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    type = forms.CharField(required=False, max_length=14, widget=forms.HiddenInput)
    region = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    engineer = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    start = DayField(label=gettext_lazy("Stopped from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = DayField(label=gettext_lazy("Stopped to"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    month = forms.RegexField(required=False, regex=r"^\d{4}-\d{2}$", widget=forms.HiddenInput)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, timezone.get_current_timezone())


def _stopped_range(d: dict[str, Any]) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = _day_start(d["start"]) if d.get("start") else None
    end = _day_start(d["end"] + dt.timedelta(days=1)) if d.get("end") else None
    if d.get("month"):
        year, month = (int(x) for x in d["month"].split("-"))
        if 1 <= month <= 12 and 2000 <= year <= 2200:
            first = _day_start(dt.date(year, month, 1))
            after = _day_start(dt.date(year + month // 12, month % 12 + 1, 1))
            start = max(start, first) if start else first
            end = min(end, after) if end else after
    return start, end


@require_safe
@permission_required(VIEW_REQUESTS)
def clock_requests(request: HttpRequest) -> HttpResponse:
    """Requests whose clocks are at risk or breached, breaches soonest first; also a compliance cell's requests."""
    form = ClockListForm(request.GET or {"clock": "at_risk"})
    d = form.cleaned_data if form.is_valid() else {"clock": "at_risk"}
    status = d.get("clock") or "at_risk"
    qs = desk_selectors.request_list(
        request.user, severity=[d["severity"]] if d.get("severity") else None,
        type=[d["type"]] if d.get("type") else None, province=d.get("region"), assignee=d.get("engineer"),
        sort=desk_selectors.BREACH_SORT)
    stopped_from, stopped_to = _stopped_range(d) if status in ("met", "breached", "finished") else (None, None)
    qs = desk_selectors.with_clock_filter(qs, status=status, kind=d.get("kind") or "",
                                          stopped_from=stopped_from, stopped_to=stopped_to)
    qs = desk_selectors.with_list_relations(qs)
    page = paginate(qs, positive_int(request.GET.get("page")) or 1, PAGE_SIZE)
    now = timezone.now()
    for sr in page["results"]:
        key = getattr(sr, "breach_soonest_key", None)
        sr.sla_left = display.duration_text((key - now).total_seconds()) if key else ""
        sr.sla_overdue = bool(key and key <= now)
    context = {"form": form, "page": page, "requests": page["results"], "status": status,
               "status_label": dict(CLOCK_STATUS_CHOICES)[status]}
    return render(request, "sla/clock_requests.html", context)


# ---------------------------------------------------------------------------------------------------------------
# Compliance report


class ComplianceForm(forms.Form):
    start = DayField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = DayField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.MultipleChoiceField(label=gettext_lazy("Group by"), choices=list(GROUPS.items()),
                                         widget=forms.CheckboxSelectMultiple)

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        if d.get("start") and d.get("end"):
            if d["end"] < d["start"]:
                raise forms.ValidationError(_("The end date is before the start date."))
            if (d["end"] - d["start"]).days > 366 * 3:
                raise forms.ValidationError(_("Choose a period of at most three years."))
        if len(d.get("group_by") or []) > 2:
            self.add_error("group_by", _("Group by at most two things."))
        return d


def _labels(rows: list[dict[str, Any]], group_by: list[str]) -> dict[tuple[str, Any], str]:
    """Names for the ids and codes in the rows: provinces, engineers, clock kinds, severities, types."""
    from django.contrib.auth import get_user_model

    from aftersales.core.models import Region
    from aftersales.servicedesk.choices import RequestType, Severity

    labels: dict[tuple[str, Any], str] = {}
    if "region" in group_by:
        ids = {r.get("region") for r in rows if r.get("region")}
        labels.update({("region", p.pk): str(p) for p in Region.objects.filter(pk__in=ids)})
    if "engineer" in group_by:
        ids = {r.get("engineer") for r in rows if r.get("engineer")}
        labels.update({("engineer", u.pk): str(u) for u in get_user_model().objects.filter(pk__in=ids)})
    labels.update({("clock", k): str(v) for k, v in ClockKind.choices})
    labels.update({("severity", k): str(v) for k, v in Severity.choices})
    labels.update({("type", k): str(v) for k, v in RequestType.choices})
    return labels


def _month_key(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value or "")


def compliance_table(user: Any, *, start: dt.date, end: dt.date, group_by: list[str]) -> list[dict[str, Any]]:
    """The compliance rows (aggregated in SQL by `sla.selectors.compliance`), with labels and drill-down links."""
    from . import selectors

    rows = selectors.compliance(user, start=_day_start(start), end=_day_start(end + dt.timedelta(days=1)),
                                group_by=tuple(group_by))
    labels = _labels(rows, group_by)
    base = {"start": start.isoformat(), "end": end.isoformat()}
    out = []
    for row in rows:
        params: dict[str, Any] = dict(base)
        cells = []
        for g in group_by:
            value = row.get(g)
            if g == "month":
                value = _month_key(value)
                params["month"] = value
                cells.append(value or "—")
                continue
            params[{"clock": "kind"}.get(g, g)] = value if value is not None else ""
            cells.append(labels.get((g, value), str(value) if value not in (None, "") else "—"))
        url = reverse("sla:requests")
        total, met = int(row.get("total") or 0), int(row.get("met") or 0)
        breached = int(row.get("breached") or 0)
        percent = row.get("percent_met")
        if percent is None:
            percent = round(100.0 * met / total, 1) if total else None
        out.append({
            "cells": cells, "total": total, "met": met, "breached": breached,
            "percent": percent, "low": percent is not None and percent < 90,
            "url_total": f"{url}?{urlencode({**params, 'clock': 'finished'})}",
            "url_met": f"{url}?{urlencode({**params, 'clock': 'met'})}",
            "url_breached": f"{url}?{urlencode({**params, 'clock': 'breached'})}",
        })
    return out


def _compliance_form(request: HttpRequest) -> ComplianceForm:
    if {"start", "end"} & set(request.GET):
        return ComplianceForm(request.GET)
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=334)).replace(day=1)  # the last twelve months
    return ComplianceForm({"start": first.isoformat(), "end": today.isoformat(), "group_by": ["month", "severity"]})


@require_safe
@permission_required(VIEW_AUDIT)
def compliance(request: HttpRequest) -> HttpResponse:
    """Share of clocks met, by clock, severity, province, engineer or month, each cell opening its requests."""
    if not may_view_compliance(request.user):
        return render(request, "403.html", status=403)
    form = _compliance_form(request)
    rows: list[dict[str, Any]] = []
    status = 200
    if form.is_valid():
        d = form.cleaned_data
        rows = compliance_table(request.user, start=d["start"], end=d["end"], group_by=d["group_by"])
    else:
        status = 400
    totals = {"total": sum(r["total"] for r in rows), "met": sum(r["met"] for r in rows),
              "breached": sum(r["breached"] for r in rows)}
    totals["percent"] = round(100.0 * totals["met"] / totals["total"], 1) if totals["total"] else None
    headers = [GROUPS[g] for g in (form.cleaned_data.get("group_by") or [])] if form.is_valid() else []
    return render(request, "sla/compliance.html", {
        "form": form, "rows": rows, "headers": headers, "totals": totals,
        "csv_query": request.GET.urlencode(),
    }, status=status)


@require_safe
@permission_required(VIEW_AUDIT)
def compliance_csv(request: HttpRequest) -> HttpResponse:
    """The compliance table as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese names)."""
    if not may_view_compliance(request.user):
        return render(request, "403.html", status=403)
    form = _compliance_form(request)
    if not form.is_valid():
        return HttpResponse(_("Choose a valid period and grouping."), status=400, content_type="text/plain")
    d = form.cleaned_data
    rows = compliance_table(request.user, start=d["start"], end=d["end"], group_by=d["group_by"])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sla-compliance-{d["start"]}-{d["end"]}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(GROUPS[g]) for g in d["group_by"]] + [_("Finished"), _("Met"), _("Breached"), _("% met")])
    for row in rows:
        writer.writerow([_csv_safe(c) for c in row["cells"]]
                        + [row["total"], row["met"], row["breached"], "" if row["percent"] is None else row["percent"]])
    return response


def _csv_safe(value: Any) -> str:
    """Names typed by people must not become spreadsheet formulas."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

