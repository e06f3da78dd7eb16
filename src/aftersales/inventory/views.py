"""Screens for spare parts: the catalogue, stock locations, the ledger and moves, reorder points, purchase
requests and the valuation report; plus the part picker of the engineer's field page.

Thin: reads come from `inventory.selectors`, writes are one service call; a refusal (not enough stock, a bad
quantity) is shown on the form in the user's language and nothing is saved.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core import audit
from aftersales.core.api import paginate
from aftersales.core.errors import DomainError
from aftersales.core.permissions import EDIT_PARTS, MOVE_STOCK, PURCHASE, VIEW_AUDIT, VIEW_STOCK, has_perm
from aftersales.core.views import page_number, permission_required, positive_int

from . import selectors, services
from .choices import PURCHASE_MACHINE, PurchaseState
from .forms import (
    LocationForm,
    MoveFilterForm,
    MoveForm,
    PartForm,
    PurchaseCreateForm,
    PurchaseOrderForm,
    PurchaseReceiveForm,
    ReasonForm,
    ReorderPointForm,
)
from .models import Part, PurchaseRequest, ReorderPoint

PAGE_SIZE = 25


def _form_page(request: HttpRequest, form: Any, *, title: str, back: str, error: str = "",
               status: int = 200) -> HttpResponse:
    return render(request, "inventory/form.html", {"form": form, "title": title, "back": back, "error": error},
                  status=status)


# Catalogue -----------------------------------------------------------------------------------------------------


@permission_required(VIEW_STOCK)
def part_list(request: HttpRequest) -> HttpResponse:
    """The catalogue: search by number, name or compatible model."""
    query = request.GET.get("q", "")[:100]
    qs = selectors.search_parts(selectors.parts_for(request.user), query)
    page = paginate(qs, page_number(request, limit=100_000), PAGE_SIZE)
    ids = [p.pk for p in page["results"]]
    from django.db.models import F, Sum

    totals = {r["part_id"]: r for r in selectors.StockBalance.objects.filter(part_id__in=ids).order_by()
              .values("part_id").annotate(total=Sum("on_hand"), free=Sum(F("on_hand") - F("reserved")))}
    rows = [{"part": p, "stock": totals.get(p.pk)} for p in page["results"]]
    return render(request, "inventory/parts.html", {"page": page, "rows": rows, "q": query})


@permission_required(VIEW_STOCK)
def part_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One part: where it is (on hand, reserved, available per location), its reorder points and latest moves."""
    part = get_object_or_404(selectors.parts_for(request.user).prefetch_related("compatible_models"), pk=pk)
    context: dict[str, Any] = {
        "part": part, "rows": list(selectors.part_stock(part)), "totals": selectors.part_totals(part),
        "points": list(ReorderPoint.objects.filter(part=part).select_related("location")),
        "moves": list(selectors.filter_moves(selectors.moves_for(request.user), part=part)[:20]),
        "purchases": list(selectors.purchase_requests_for(request.user).filter(part=part)[:10]),
    }
    if has_perm(request.user, VIEW_AUDIT):
        context["entries"] = list(audit.timeline(part).order_by("id")[:100])
    return render(request, "inventory/part.html", context)


@permission_required(EDIT_PARTS)
def part_create(request: HttpRequest) -> HttpResponse:
    title, back = _("New part"), reverse("inventory:parts")
    form = PartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            part = services.part_create(actor=request.user, **form.values())
        except DomainError as exc:
            return _form_page(request, form, title=title, back=back, error=str(exc), status=exc.status)
        messages.success(request, _("Part saved."))
        return redirect("inventory:part", pk=part.pk)
    return _form_page(request, form, title=title, back=back, status=400 if request.method == "POST" else 200)


@permission_required(EDIT_PARTS)
def part_edit(request: HttpRequest, pk: int) -> HttpResponse:
    part = get_object_or_404(selectors.parts_for(request.user), pk=pk)
    title, back = _("Edit part"), reverse("inventory:part", args=[pk])
    if request.method != "POST":
        initial = {f: getattr(part, f) for f in ("number", "name", "name_en", "unit", "list_price", "cost_price",
                                                 "currency", "is_active")}
        initial.update(supplier=part.supplier_id, version=part.version,
                       compatible_models=list(part.compatible_models.values_list("pk", flat=True)))
        return _form_page(request, PartForm(initial=initial), title=title, back=back)
    form = PartForm(request.POST)
    if form.is_valid():
        try:
            services.part_update(actor=request.user, part=part, values=form.values(),
                                 expected_version=form.cleaned_data["version"])
        except DomainError as exc:
            return _form_page(request, form, title=title, back=back, error=str(exc), status=exc.status)
        messages.success(request, _("Part saved."))
        return redirect(back)
    return _form_page(request, form, title=title, back=back, status=400)


@permission_required(VIEW_STOCK)
def part_picker(request: HttpRequest) -> HttpResponse:
    """The engineer's part search on the field page (htmx): parts that fit the unit's model first, with what his
    van holds of each."""
    query = request.GET.get("q", "")[:60]
    model_id = request.GET.get("model", "")
    product_model = positive_int(model_id)
    from .field import pick_rows

    rows, van = pick_rows(request.user, query, product_model)
    return render(request, "inventory/partials/picker.html", {
        "parts": rows,
        "q": query, "van": van,
    })


# Locations ------------------------------------------------------------------------------------------------------


@permission_required(VIEW_STOCK)
def location_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.locations_for(request.user).order_by("kind", "code")
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    page = paginate(qs, page_number(request, limit=100_000), 50)
    from .choices import LocationKind

    return render(request, "inventory/locations.html", {"page": page, "kind": kind, "kinds": LocationKind.choices})


@permission_required(VIEW_STOCK)
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One location: what it holds (paginated, searchable), its reorder points and latest moves."""
    location = get_object_or_404(selectors.locations_for(request.user), pk=pk)
    query = request.GET.get("q", "")[:60]
    page = paginate(selectors.location_stock(location, query), page_number(request, limit=100_000), 50)
    return render(request, "inventory/location.html", {
        "location": location, "page": page, "q": query,
        "points": list(ReorderPoint.objects.filter(location=location).select_related("part").order_by(
            "part__number")[:200]),
        "moves": list(selectors.filter_moves(selectors.moves_for(request.user), location=location)[:20]),
        "reorder_form": ReorderPointForm(),
    })


@permission_required(EDIT_PARTS)
def location_create(request: HttpRequest) -> HttpResponse:
    title, back = _("New stock location"), reverse("inventory:locations")
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            location = services.location_create(actor=request.user, **{
                k: v for k, v in form.values().items() if k != "is_active"})
        except DomainError as exc:
            return _form_page(request, form, title=title, back=back, error=str(exc), status=exc.status)
        messages.success(request, _("Stock location saved."))
        return redirect("inventory:location", pk=location.pk)
    return _form_page(request, form, title=title, back=back, status=400 if request.method == "POST" else 200)


@permission_required(EDIT_PARTS)
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(selectors.locations_for(request.user), pk=pk)
    title, back = _("Edit stock location"), reverse("inventory:location", args=[pk])
    if request.method != "POST":
        initial = {f: getattr(location, f) for f in ("code", "name", "kind", "is_active")}
        initial.update(region=location.region_id, engineer=location.engineer_id, version=location.version)
        return _form_page(request, LocationForm(initial=initial), title=title, back=back)
    form = LocationForm(request.POST)
    if form.is_valid():
        try:
            services.location_update(actor=request.user, location=location, values=form.values(),
                                     expected_version=form.cleaned_data["version"])
        except DomainError as exc:
            return _form_page(request, form, title=title, back=back, error=str(exc), status=exc.status)
        messages.success(request, _("Stock location saved."))
        return redirect(back)
    return _form_page(request, form, title=title, back=back, status=400)


@permission_required(EDIT_PARTS)
@require_POST
def reorder_point_set(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(selectors.locations_for(request.user), pk=pk)
    form = ReorderPointForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            d = form.cleaned_data
            services.reorder_point_set(actor=request.user, part=d["part"], location=location,
                                       min_level=d["min_level"], reorder_quantity=d["reorder_quantity"],
                                       is_active=d["is_active"])
            messages.success(request, _("Reorder point saved."))
        except DomainError as exc:
            messages.error(request, str(exc))
    return redirect("inventory:location", pk=location.pk)


# The ledger -----------------------------------------------------------------------------------------------------


@permission_required(VIEW_STOCK)
def move_list(request: HttpRequest) -> HttpResponse:
    """The ledger, newest first, filtered by part, location, kind, work order and dates."""
    form = MoveFilterForm(request.GET or None)
    qs = selectors.moves_for(request.user)
    if form.is_valid():
        d = form.cleaned_data
        part = Part.objects.filter(number__iexact=d["part"].strip()).first() if d["part"] else None
        work_order = None
        if d["work_order"]:
            from aftersales.fieldservice.models import WorkOrder

            work_order = WorkOrder.objects.filter(number__iexact=d["work_order"].strip()).first()
        if (d["part"] and part is None) or (d["work_order"] and work_order is None):
            qs = qs.none()
        filters = {"part": part, "location": d["location"], "kind": d["kind"], "work_order": work_order,
                   "date_from": d["date_from"], "date_to": d["date_to"]}
    else:
        filters = {}
    page = selectors.move_page(qs, page=page_number(request, limit=100_000), page_size=50, **filters)
    return render(request, "inventory/moves.html", {"page": page, "form": form})


@permission_required(MOVE_STOCK)
def move_create(request: HttpRequest) -> HttpResponse:
    """Receive, transfer, reserve, release, issue, return, scrap or count: one move at a time."""
    initial = {k: request.GET[k] for k in ("kind", "part", "location", "reference") if k in request.GET}
    form = MoveForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                move = services.stock_move(actor=request.user, kind=d["kind"], part=d["part"],
                                           quantity=d["quantity"], location=d["location"], target=d["target"],
                                           reason=d["reason"], reference=d["reference"], work_order=d["work_order"],
                                           from_reservation=d["from_reservation"])
            except DomainError as exc:
                error, status = str(exc), exc.status
            else:
                messages.success(request, _("%(kind)s of %(quantity)s %(unit)s %(part)s recorded.") % {
                    "kind": move.get_kind_display(), "quantity": move.quantity.normalize(), "unit": move.part.unit,
                    "part": move.part.number})
                return redirect("inventory:part", pk=move.part_id)
    return render(request, "inventory/move_form.html", {"form": form, "error": error}, status=status)


# Purchase requests --------------------------------------------------------------------------------------------


@permission_required(VIEW_STOCK)
def purchase_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "active")
    qs = selectors.purchase_requests_for(request.user)
    if state == "active":
        qs = qs.filter(state__in=[PurchaseState.OPEN, PurchaseState.ORDERED])
    elif state in PurchaseState.values:
        qs = qs.filter(state=state)
    page = paginate(qs.order_by("-created_at", "-id"), page_number(request, limit=100_000), PAGE_SIZE)
    return render(request, "inventory/purchases.html", {
        "page": page, "state": state, "states": [("active", _("Open and ordered")), *PurchaseState.choices,
                                                 ("all", _("All"))]})


@permission_required(VIEW_STOCK)
def purchase_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pr = get_object_or_404(selectors.purchase_requests_for(request.user), pk=pk)
    return _purchase_page(request, pr)


def _purchase_page(request: HttpRequest, pr: PurchaseRequest, status: int = 200, **forms: Any) -> HttpResponse:
    forms.setdefault("order_form", PurchaseOrderForm(initial={"supplier": pr.supplier_id, "version": pr.version,
                                                              "quantity": pr.quantity}))
    forms.setdefault("receive_form", PurchaseReceiveForm(initial={"quantity": pr.outstanding.normalize()}))
    forms.setdefault("cancel_form", ReasonForm(initial={"version": pr.version}))
    receipts = selectors.moves_for(request.user).filter(reference=pr.number, kind="receive", part=pr.part).order_by(
        "created_at")
    context = {
        "pr": pr, "receipts": list(receipts), "available": selectors.availability(pr.part, pr.location),
        "can_order": PURCHASE_MACHINE.can("order", pr.state) and has_perm(request.user, PURCHASE),
        "can_receive": PURCHASE_MACHINE.can("receive", pr.state) and has_perm(request.user, MOVE_STOCK),
        "can_cancel": PURCHASE_MACHINE.can("cancel", pr.state) and has_perm(request.user, PURCHASE),
        **forms,
    }
    if has_perm(request.user, VIEW_AUDIT):
        context["entries"] = list(audit.timeline(pr).order_by("id")[:100])
    return render(request, "inventory/purchase.html", context, status=status)


@permission_required(PURCHASE)
def purchase_create(request: HttpRequest) -> HttpResponse:
    title, back = _("New purchase request"), reverse("inventory:purchases")
    form = PurchaseCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pr = services.purchase_request_create(actor=request.user, part=d["part"], location=d["location"],
                                                  quantity=d["quantity"], reason=d["reason"])
        except DomainError as exc:
            return _form_page(request, form, title=title, back=back, error=str(exc), status=exc.status)
        messages.success(request, _("Purchase request %(number)s raised.") % {"number": pr.number})
        return redirect("inventory:purchase_detail", pk=pr.pk)
    return _form_page(request, form, title=title, back=back, status=400 if request.method == "POST" else 200)


@permission_required(PURCHASE)
@require_POST
def purchase_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Order from a supplier, or cancel with a reason (purchasing)."""
    pr = get_object_or_404(selectors.purchase_requests_for(request.user), pk=pk)
    try:
        if action == "order":
            form = PurchaseOrderForm(request.POST)
            if not form.is_valid():
                return _purchase_page(request, pr, status=400, order_form=form)
            d = form.cleaned_data
            services.purchase_request_order(actor=request.user, request=pr, supplier=d["supplier"],
                                            expected_on=d["expected_on"], quantity=d["quantity"],
                                            expected_version=d["version"])
            messages.success(request, _("Ordered."))
        elif action == "cancel":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                return _purchase_page(request, pr, status=400, cancel_form=form)
            services.purchase_request_cancel(actor=request.user, request=pr, reason=form.cleaned_data["reason"],
                                             expected_version=form.cleaned_data["version"])
            messages.success(request, _("Cancelled."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("inventory:purchase_detail", pk=pr.pk)


@permission_required(MOVE_STOCK)
@require_POST
def purchase_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """The storekeeper books in goods that arrived against the request (possibly a part of it)."""
    pr = get_object_or_404(selectors.purchase_requests_for(request.user), pk=pk)
    form = PurchaseReceiveForm(request.POST)
    if not form.is_valid():
        return _purchase_page(request, pr, status=400, receive_form=form)
    try:
        services.purchase_request_receive(actor=request.user, request=pr, quantity=form.cleaned_data["quantity"])
    except DomainError as exc:
        messages.error(request, str(exc))
        pr.refresh_from_db()
        return _purchase_page(request, pr, status=exc.status, receive_form=form)
    messages.success(request, _("Receipt recorded."))
    return redirect("inventory:purchase_detail", pk=pr.pk)


# Valuation ------------------------------------------------------------------------------------------------------


@permission_required(VIEW_STOCK)
def valuation(request: HttpRequest) -> HttpResponse:
    """Stock value by location and in total (on hand × cost price)."""
    return render(request, "inventory/valuation.html", {"report": selectors.valuation(), "now": timezone.now()})


@permission_required(VIEW_STOCK)
def valuation_csv(request: HttpRequest) -> HttpResponse:
    report = selectors.valuation()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stock-valuation-{timezone.localdate():%Y%m%d}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = csv.writer(response)
    writer.writerow([_("Location code"), _("Location"), _("Kind"), _("Part lines"), _("Units on hand"),
                     _("Value (CNY)")])
    for row in report["rows"]:
        loc = row["location"]
        writer.writerow([loc.code, loc.name, loc.get_kind_display(), row["lines"], row["units"], row["value"]])
    writer.writerow(["", _("Total"), "", "", report["units"], report["total"]])
    return response


# Suppliers ------------------------------------------------------------------------------------------------------


@permission_required(VIEW_STOCK)
def supplier_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count

    from aftersales.suppliers import selectors as supplier_selectors

    query = request.GET.get("q", "")[:100]
    qs = supplier_selectors.search(supplier_selectors.suppliers_for(request.user), query).annotate(
        part_count=Count("parts"))
    page = paginate(qs, page_number(request, limit=100_000), PAGE_SIZE)
    return render(request, "suppliers/list.html", {"page": page, "q": query})


@permission_required(EDIT_PARTS)
def supplier_create(request: HttpRequest) -> HttpResponse:
    from aftersales.suppliers import services as supplier_services
    from aftersales.suppliers.forms import SupplierForm

    title, back = _("New supplier"), reverse("inventory:suppliers")
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier_services.supplier_create(actor=request.user, **form.values())
        except DomainError as exc:
            return _form_page(request, form, title=title, back=back, error=str(exc), status=exc.status)
        messages.success(request, _("Supplier saved."))
        return redirect(back)
    return _form_page(request, form, title=title, back=back, status=400 if request.method == "POST" else 200)


@permission_required(EDIT_PARTS)
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    from aftersales.suppliers import selectors as supplier_selectors
    from aftersales.suppliers import services as supplier_services
    from aftersales.suppliers.forms import SupplierForm
    from aftersales.suppliers.services import FIELDS

    supplier = get_object_or_404(supplier_selectors.suppliers_for(request.user), pk=pk)
    title, back = _("Edit supplier"), reverse("inventory:suppliers")
    if request.method != "POST":
        initial = {f: getattr(supplier, f) for f in FIELDS}
        return _form_page(request, SupplierForm(initial={**initial, "version": supplier.version}), title=title,
                          back=back)
    form = SupplierForm(request.POST)
    if form.is_valid():
        try:
            supplier_services.supplier_update(actor=request.user, supplier=supplier, values=form.values(),
                                              expected_version=form.cleaned_data["version"])
        except DomainError as exc:
            return _form_page(request, form, title=title, back=back, error=str(exc), status=exc.status)
        messages.success(request, _("Supplier saved."))
        return redirect(back)
    return _form_page(request, form, title=title, back=back, status=400)
