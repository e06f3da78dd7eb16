"""Service desk screens: intake, the request list and the request page. Thin: parse, call selectors/services, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core import audit
from aftersales.core.api import paginate
from aftersales.core.errors import DomainError
from aftersales.core.permissions import (
    CREATE_REQUESTS,
    DISPATCH,
    EDIT_REQUESTS,
    PROGRESS_REQUESTS,
    TRIAGE_REQUESTS,
    VIEW_AUDIT,
    VIEW_CALLBACKS,
    VIEW_COMPLAINTS,
    VIEW_REQUESTS,
    VIEW_WORK_ORDERS,
    has_perm,
    read_scope,
)
from aftersales.core.plans import key_lookup_view
from aftersales.core.prepared import PreparedQuery
from aftersales.core.templatetags.aftersales import badge, local_minute
from aftersales.core.views import error_text, permission_required, pk_url, positive_int
from aftersales.customers import selectors as customer_selectors
from aftersales.customers.models import Customer

from . import selectors, services
from .choices import MANUAL_ACTIONS, OPEN_STATES, REQUEST_MACHINE, RequestState, Severity
from .forms import (
    ACTION_FORMS,
    IntakeForm,
    RequestEditForm,
    RequestFilterForm,
    VersionedForm,
    WorkOrderCreateForm,
    fault_category_choices,
)
from .models import ServiceRequest

PAGE_SIZE = 25
UNITS_IN_PICKER = 200


class QuickSelect(forms.Select):
    """A <select> rendered in Python instead of through a template per option. The list filters' engineer and
    province selects (tens of options each) cost ~5 ms per page through the form templates, about a third of that
    this way (most of it their queries); the HTML is the same apart from whitespace, labels escaped."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        selected = set(self.format_value(value))
        rows = []
        for option, label in self.choices:  # iterated, not list(): that would COUNT a model choice queryset first
            if isinstance(label, list | tuple):  # option groups: the normal way
                return super().render(name, value, attrs, renderer)
            key = "" if option is None else str(option)
            rows.append((key, " selected" if key in selected else "", label))
        options = format_html_join("", '<option value="{}"{}>{}</option>', rows)
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """QuickSelect for a multiple choice (the list's state filter)."""


class _QuickInput:
    """An <input> rendered in Python: two template includes per field cost ~0.25 ms each through the form
    templates (a request page has a dozen). The same element; attributes in flatatt's order."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        w = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        shown = format_html(' value="{}"', w["value"]) if w["value"] is not None else ""
        return format_html('<input type="{}" name="{}"{}{}>', w["type"], w["name"], shown, flatatt(w["attrs"]))


class _QuickTextarea(forms.Textarea):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        w = self.get_context(name, value, attrs)["widget"]
        return format_html("<textarea name=\"{}\"{}>\n{}</textarea>", w["name"], flatatt(w["attrs"]),
                           w["value"] or "")


QUICK_INPUTS: dict[type, type] = {
    kind: type(f"Quick{kind.__name__}", (_QuickInput, kind), {})
    for kind in (forms.TextInput, forms.NumberInput, forms.HiddenInput, forms.EmailInput, forms.DateInput,
                 forms.DateTimeInput, forms.TimeInput)
}
QUICK_INPUTS[forms.Textarea] = _QuickTextarea


def _quick_selects(form: forms.Form, *names: str) -> None:
    """Render these choice fields of a form with QuickSelect (no names: every plain select of the form, and its
    plain inputs and text areas with their quick twins)."""
    if not names:
        names = tuple(n for n, f in form.fields.items() if type(f.widget) in (forms.Select, forms.SelectMultiple))
        for field in form.fields.values():
            quick = QUICK_INPUTS.get(type(field.widget))
            if quick is not None:  # the form's own copy of the widget: its quick twin, same state
                field.widget.__class__ = quick
    for name in names:
        field = form.fields[name]
        kind = QuickSelectMultiple if isinstance(field.widget, forms.SelectMultiple) else QuickSelect
        widget = kind(attrs=field.widget.attrs)
        widget.choices = field.choices
        field.widget = widget


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# ---------------------------------------------------------------------------------------------------------------
# Intake


def selection_context(user: Any, *, customer_id: int | None, site_id: int | None = None,
                      equipment_id: int | None = None, contact_id: int | None = None,
                      default_contact: bool = False, changed: str = "") -> dict[str, Any]:
    """What the intake form shows once a customer is chosen: its sites, units, contacts and possible duplicates."""
    customer: Customer | None = (
        customer_selectors.customers_for(user).filter(pk=customer_id).first() if customer_id else None
    )
    if customer is None:
        return {"customer": None}
    sites = list(customer_selectors.sites_for(user).filter(customer=customer).order_by("name"))
    units = list(customer_selectors.equipment_for(user).filter(customer=customer)
                 .order_by("site_id", "serial")[:UNITS_IN_PICKER])
    contacts = list(customer_selectors.contacts_for(user).filter(customer=customer))
    site = next((s for s in sites if s.pk == site_id), None)
    equipment = next((u for u in units if u.pk == equipment_id), None)
    if equipment is None and equipment_id:
        equipment = customer_selectors.equipment_for(user).filter(customer=customer, pk=equipment_id).first()
        if equipment is not None:
            units.insert(0, equipment)
    if equipment is not None:
        if changed == "site" and site is not None and equipment.site_id != site.pk:
            equipment = None  # the agent moved to another site: the unit no longer fits
        else:
            site = next((s for s in sites if s.pk == equipment.site_id), equipment.site)
    if site is None and len(sites) == 1:
        site = sites[0]
    contact = next((c for c in contacts if c.pk == contact_id), None)
    if contact is None and default_contact and contacts:
        contact = contacts[0]  # primary contacts come first
    duplicates = (list(selectors.possible_duplicates(user, equipment_id=equipment.pk)
                       .select_related("site")[:10]) if equipment else [])
    return {"customer": customer, "sites": sites, "site": site, "units": units, "equipment": equipment,
            "contacts": contacts, "contact": contact, "duplicates": duplicates}


def _selection_from_params(user: Any, params: Any, *, changed: str = "") -> dict[str, Any]:
    return selection_context(
        user, customer_id=positive_int(params.get("customer")), site_id=positive_int(params.get("site")),
        equipment_id=positive_int(params.get("equipment")), contact_id=positive_int(params.get("contact")),
        default_contact="contact" not in params, changed=changed,
    )


@permission_required(CREATE_REQUESTS)
def intake(request: HttpRequest) -> HttpResponse:
    """The hotline agent's screen: find the caller, pick the unit, record the request."""
    q = (request.GET.get("q") or "").strip()[:100]
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                created = services.request_create(actor=request.user, **form.service_kwargs())
            except DomainError as exc:
                form.add_error(None, error_text(exc))
                status = 400
            else:
                messages.success(request, _("Service request %(number)s recorded.") % {"number": created.number})
                return redirect("servicedesk:detail", pk=created.pk)
        else:
            status = 400
        selection = _selection_from_params(request.user, request.POST)
        if form.duplicates and not selection.get("duplicates"):
            selection["duplicates"] = form.duplicates
    else:
        form = IntakeForm(user=request.user)
        selection = _selection_from_params(request.user, request.GET)
    matches = customer_selectors.intake_search(request.user, q) if q else []
    return render(request, "servicedesk/intake.html", {
        "form": form, "q": q, "matches": matches, "searched": bool(q), **selection,
    }, status=status)


@permission_required(CREATE_REQUESTS)
def intake_search(request: HttpRequest) -> HttpResponse:
    """htmx: customers matching a phone, serial, name or pinyin initials, with their sites, contacts and units."""
    q = (request.GET.get("q") or "").strip()[:100]
    matches = customer_selectors.intake_search(request.user, q)
    return render(request, "servicedesk/partials/intake_results.html",
                  {"matches": matches, "q": q, "searched": len(q) >= 2})


@permission_required(CREATE_REQUESTS)
def intake_pick(request: HttpRequest) -> HttpResponse:
    """htmx: fill the request form with the chosen customer, site, unit and contact, and show duplicates."""
    changed = request.headers.get("HX-Trigger-Name", "")
    selection = _selection_from_params(request.user, request.GET, changed=changed)
    return render(request, "servicedesk/partials/intake_selection.html", selection)


# ---------------------------------------------------------------------------------------------------------------
# Request list


@permission_required(VIEW_REQUESTS)
def request_list(request: HttpRequest) -> HttpResponse:
    """All requests the user may see, filtered, sorted and paginated; no query per row."""
    from aftersales.fieldservice.choices import WorkOrderState
    from aftersales.fieldservice.models import WorkOrder

    form = RequestFilterForm(request.GET or None, user=request.user)
    _quick_selects(form, "state", "severity", "type", "province", "assignee", "clock", "sort")
    qs = selectors.with_table_relations(selectors.request_list(request.user, **form.filters()))
    qs = qs.prefetch_related(Prefetch(
        "work_orders",
        # The assignee column needs the engineer's name only, not each work order's dozen dates.
        queryset=WorkOrder.objects.exclude(state=WorkOrderState.CANCELLED).select_related("engineer")
        .only("id", "request_id", "engineer_id", *(f"engineer__{f}" for f in get_user_model().LABEL_FIELDS))
        .order_by("id"),
        to_attr="active_work_orders",
    ))
    page = paginate(qs, positive_int(request.GET.get("page")) or 1, PAGE_SIZE)
    detail_url = pk_url("servicedesk:detail")
    labels = _RowLabels()
    for sr in page["results"]:
        seen: dict[int, Any] = {}
        for wo in sr.active_work_orders:
            if wo.engineer_id and wo.engineer_id not in seen:
                seen[wo.engineer_id] = wo.engineer
        sr.row_html = _request_row(sr, detail_url(sr.pk), list(seen.values()), labels)
    context = {"form": form, "page": page, "requests": page["results"]}
    if _is_htmx(request) and request.headers.get("HX-Target") == "results":
        response = render(request, "servicedesk/partials/request_table.html", context)
    else:
        response = render(request, "servicedesk/list.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


class _RowLabels:
    """The state and severity labels in the active language, translated once per page rather than per row (Django's
    get_FOO_display() rebuilds its choices dict on every call)."""

    def __init__(self) -> None:
        self.state = {k: str(v) for k, v in RequestState.choices}
        self.severity = {k: str(v) for k, v in Severity.choices}


REQUEST_ROW = (
    '<tr><td class="nowrap"><a href="{}">{}</a></td><td class="nowrap">{}</td><td>{}</td><td>{}{}</td><td>{}</td>'
    '<td>{}</td><td>{}</td><td>{}</td></tr>'
)


def _request_row(sr: ServiceRequest, url: str, assignees: list[Any], labels: _RowLabels) -> SafeString:
    """One row of the request list, rendered in Python: through the template a row cost ~0.12 ms (25 a page); this
    is the same HTML, escaped the same way."""
    city = format_html('<div class="small muted">{}</div>', sr.city.name) if sr.city_id and sr.city else ""
    people = (format_html_join(", ", "{}", ((str(e),) for e in assignees)) if assignees
              else mark_safe('<span class="muted">—</span>'))  # noqa: S308 - a constant
    return format_html(
        REQUEST_ROW, url, sr.number, local_minute(sr.created_at), sr.customer.name,
        sr.site.name if sr.site_id and sr.site else "", city, sr.summary,
        badge(sr.severity, labels.severity.get(sr.severity), "severity"), badge(sr.state, labels.state.get(sr.state)),
        people)


# ---------------------------------------------------------------------------------------------------------------
# Request page


_REQUEST_PAGE = PreparedQuery(lambda scope, pk, *ids: selectors.requests_in_scope(scope, *ids).select_related(
    "customer", "site", "equipment", "created_by").filter(pk=pk)[:1])


def _get_request(user: Any, pk: int) -> ServiceRequest:
    """The request as its page shows it, from the user's scope (another's request: 404). Four joins only; the
    site's city and the product models come from one IN query each (more joins cost more planning than reading).
    Its SQL is compiled once per scope (`core.prepared`): compiling it cost more than running it."""
    scope, ids = read_scope(user, VIEW_REQUESTS)
    found = _REQUEST_PAGE(scope, int(pk), *ids)
    if not found:
        raise Http404
    sr = found[0]
    selectors.attach_references([sr], categories=False)  # the page labels the category from the choices
    return sr


HISTORY_SHOWN = 30  # the latest entries of the request's history on its page; "?history=all" shows every entry


_LATEST_HISTORY = PreparedQuery(lambda shape, content_type, pk: audit.timeline_of(content_type, pk)
                                .order_by("-id")[:HISTORY_SHOWN + 1])


def _history(sr: ServiceRequest, *, everything: bool) -> tuple[list[Any], bool]:
    """The request's history for its page, oldest first: the latest HISTORY_SHOWN entries (an old request with many
    visits and callbacks can have hundreds), or all of them; and whether older entries were left out."""
    if everything:
        return list(audit.timeline(sr)), False
    content_type = ContentType.objects.get_for_model(sr, for_concrete_model=True).pk
    latest = _LATEST_HISTORY("latest", content_type, sr.pk)
    more = len(latest) > HISTORY_SHOWN
    return latest[:HISTORY_SHOWN][::-1], more


ACTION_PERMS = {"triage": TRIAGE_REQUESTS}
RETRIAGE_STATES = frozenset(OPEN_STATES) - {RequestState.NEW}


def available_actions(user: Any, sr: ServiceRequest) -> list[str]:
    """Actions the state machine allows now and the user's role may take (triage again while still open)."""
    allowed = set(REQUEST_MACHINE.allowed(sr.state))
    if sr.state in RETRIAGE_STATES:
        allowed.add("triage")
    return [a for a in MANUAL_ACTIONS if a in allowed and has_perm(user, ACTION_PERMS.get(a, PROGRESS_REQUESTS))]


def _action_form(action: str, sr: ServiceRequest) -> VersionedForm:
    initial: dict[str, Any] = {"version": sr.version}
    if action == "triage":
        initial.update(severity=sr.severity, fault_category=sr.fault_category_id)
    form = ACTION_FORMS[action](initial=initial, prefix=action)
    return form


def _request_work_orders(scope: str, request_id: int, *ids: int) -> Any:
    from aftersales.fieldservice.selectors import work_orders_in_scope

    return (work_orders_in_scope(scope, *ids).filter(request_id=request_id).select_related("engineer")
            .order_by("created_at", "id"))


_REQUEST_WORK_ORDERS = PreparedQuery(_request_work_orders)


def _render_detail(request: HttpRequest, sr: ServiceRequest, *, bound: dict[str, Any] | None = None,
                   status: int = 200) -> HttpResponse:
    user = request.user
    bound = bound or {}
    actions = []
    for action in available_actions(user, sr):
        form = bound.get(action) or _action_form(action, sr)
        label = REQUEST_MACHINE.transitions[action].label
        if action == "triage" and sr.state != RequestState.NEW:
            label = _("Change severity or category")
        actions.append({"name": action, "label": label, "form": form, "open": action in bound})
    context: dict[str, Any] = {
        "sr": sr,
        "actions": actions,
        "reopen_deadline": services.reopen_deadline(sr) if "reopen" in {a["name"] for a in actions} else None,
        "edit_form": None,
        "wo_form": None,
        "work_orders": [],
        "callbacks": [],
        "complaints": [],
        "entries": [],
        "fault_category_label": (dict(fault_category_choices()).get(str(sr.fault_category_id))
                                 or str(sr.fault_category) if sr.fault_category_id else ""),
        "perms_view_work_orders": has_perm(user, VIEW_WORK_ORDERS),
    }
    if has_perm(user, EDIT_REQUESTS):
        context["edit_form"] = bound.get("edit") or RequestEditForm(prefix="edit", initial={
            "version": sr.version, "summary": sr.summary, "symptom": sr.symptom,
            "usage_scenario": sr.usage_scenario, "contact_name": sr.contact_name, "contact_phone": sr.contact_phone,
        })
        context["edit_open"] = "edit" in bound
    if has_perm(user, VIEW_WORK_ORDERS):
        scope, ids = read_scope(user, VIEW_WORK_ORDERS)
        context["work_orders"] = _REQUEST_WORK_ORDERS(scope, sr.pk, *ids)
    if has_perm(user, DISPATCH) and sr.state in OPEN_STATES and sr.state != RequestState.NEW:
        context["wo_form"] = bound.get("work_order") or WorkOrderCreateForm(prefix="wo")
        context["wo_open"] = "work_order" in bound
    if has_perm(user, VIEW_CALLBACKS):
        context["callbacks"] = list(sr.callbacks.select_related("done_by").order_by("due_at"))
    if has_perm(user, VIEW_COMPLAINTS):
        context["complaints"] = list(sr.complaints.select_related("owner").order_by("-created_at"))
    if has_perm(user, VIEW_AUDIT):
        context["entries"], context["history_more"] = _history(sr, everything=request.GET.get("history") == "all")
        context["show_timeline"] = True
    for form in [a["form"] for a in actions] + [context["edit_form"], context["wo_form"]]:
        if form is not None:
            _quick_selects(form)  # the triage form's category select alone cost ~0.5 ms through the templates
    return render(request, "servicedesk/detail.html", context, status=status)


@key_lookup_view  # outermost: the session and user lookups are key lookups too
@permission_required(VIEW_REQUESTS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: what was reported, what may be done next, its work orders and its history."""
    return _render_detail(request, _get_request(request.user, pk))


def _failed(request: HttpRequest, sr_pk: int, key: str, form: Any, exc: DomainError) -> HttpResponse:
    """Re-show the page as it is now, with the user's input kept and the refusal as a message; nothing was saved."""
    messages.error(request, error_text(exc))
    fresh = _get_request(request.user, sr_pk)
    return _render_detail(request, fresh, bound={key: form}, status=exc.status if exc.status < 500 else 400)


def _invalid(request: HttpRequest, sr: ServiceRequest, key: str, form: Any) -> HttpResponse:
    messages.error(request, _("Please correct the fields marked below."))
    return _render_detail(request, sr, bound={key: form}, status=400)


ServiceCall = Callable[[Any, ServiceRequest, dict[str, Any], int], ServiceRequest]

ACTION_SERVICES: dict[str, ServiceCall] = {
    "triage": lambda actor, sr, d, v: services.request_triage(
        actor=actor, request=sr, severity=d["severity"], fault_category=d.get("fault_category"),
        reason=d.get("reason") or "", expected_version=v),
    "wait": lambda actor, sr, d, v: services.request_wait(
        actor=actor, request=sr, reason=d.get("reason") or "", expected_version=v),
    "resume": lambda actor, sr, d, v: services.request_resume(
        actor=actor, request=sr, reason=d.get("reason") or "", expected_version=v),
    "resolve": lambda actor, sr, d, v: services.request_resolve(
        actor=actor, request=sr, resolution=d.get("resolution") or "", expected_version=v),
    "close": lambda actor, sr, d, v: services.request_close(
        actor=actor, request=sr, reason=d.get("reason") or "", expected_version=v),
    "cancel": lambda actor, sr, d, v: services.request_cancel(
        actor=actor, request=sr, reason=d.get("reason") or "", expected_version=v),
    "reopen": lambda actor, sr, d, v: services.request_reopen(
        actor=actor, request=sr, reason=d.get("reason") or "", expected_version=v),
}

ACTION_DONE = {
    "triage": gettext_lazy("Triage saved."),
    "wait": gettext_lazy("The request now waits on the customer."),
    "resume": gettext_lazy("Work on the request resumed."),
    "resolve": gettext_lazy("The request is resolved; a callback is scheduled."),
    "close": gettext_lazy("The request is closed."),
    "cancel": gettext_lazy("The request is cancelled."),
    "reopen": gettext_lazy("The request is reopened."),
}


@permission_required(VIEW_REQUESTS)
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """POST one state action (triage, wait, resume, resolve, close, cancel, reopen) with the version the user saw."""
    if action not in ACTION_SERVICES:
        raise Http404
    sr = _get_request(request.user, pk)
    if not has_perm(request.user, ACTION_PERMS.get(action, PROGRESS_REQUESTS)):
        return render(request, "403.html", status=403)
    if request.method != "POST":
        return redirect("servicedesk:detail", pk=sr.pk)
    form = ACTION_FORMS[action](request.POST, prefix=action)
    if not form.is_valid():
        return _invalid(request, sr, action, form)
    try:
        ACTION_SERVICES[action](request.user, sr, form.cleaned_data, form.cleaned_data["version"])
    except DomainError as exc:
        return _failed(request, sr.pk, action, form, exc)
    messages.success(request, str(ACTION_DONE[action]))
    return redirect("servicedesk:detail", pk=sr.pk)


@permission_required(EDIT_REQUESTS)
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save corrections to summary, symptom, usage scenario and contact, refusing a stale version."""
    sr = _get_request(request.user, pk)
    if request.method != "POST":
        return redirect("servicedesk:detail", pk=sr.pk)
    form = RequestEditForm(request.POST, prefix="edit")
    if not form.is_valid():
        return _invalid(request, sr, "edit", form)
    values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.request_update(actor=request.user, request=sr, values=values,
                                expected_version=form.cleaned_data["version"])
    except DomainError as exc:
        return _failed(request, sr.pk, "edit", form, exc)
    messages.success(request, _("Changes saved."))
    return redirect("servicedesk:detail", pk=sr.pk)


@permission_required(DISPATCH)
def work_order_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a work order for this request, then go on to choose the engineer."""
    from aftersales.fieldservice import services as field

    sr = _get_request(request.user, pk)
    if request.method != "POST":
        return redirect("servicedesk:detail", pk=sr.pk)
    form = WorkOrderCreateForm(request.POST, prefix="wo")
    if not form.is_valid():
        return _invalid(request, sr, "work_order", form)
    try:
        wo = field.work_order_create(actor=request.user, request=sr, **form.cleaned_data)
    except DomainError as exc:
        return _failed(request, sr.pk, "work_order", form, exc)
    messages.success(request, _("Work order %(number)s created; choose the engineer.") % {"number": wo.number})
    try:
        return redirect(reverse("fieldservice:assign", args=[wo.pk]))
    except NoReverseMatch:  # the assignment screen is not installed: stay on the request
        return redirect("servicedesk:detail", pk=sr.pk)

