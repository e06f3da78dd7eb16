"""Screens for customers and their installed base, product models, and CSV/XLSX imports.

Thin: every read starts from the user's scoped selectors (another province's customer is a 404 for a lead),
every write is a service call; domain errors become messages in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.api import paginate
from aftersales.core.errors import DomainError, StaleVersion
from aftersales.core.permissions import (
    EDIT_CUSTOMERS,
    IMPORT_CUSTOMERS,
    VIEW_AUDIT,
    VIEW_CUSTOMERS,
    VIEW_REQUESTS,
    has_perm,
)
from aftersales.core.views import page_number, permission_required

from . import imports, services
from .choices import ImportState
from .forms import (
    ContactForm,
    CustomerForm,
    EquipmentForm,
    ImportUploadForm,
    ProductModelForm,
    SiteForm,
    VersionedForm,
)
from .models import Contact, Customer
from .selectors import (
    contacts_for,
    customer_history,
    customers_for,
    equipment_for,
    product_models_for,
    sites_for,
)

PAGE_SIZE = 25
EQUIPMENT_SHOWN = 200
TIMELINE_SHOWN = 100
ERRORS_PER_PAGE = 200


def search_customers(qs: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """Name, code, pinyin initials ('whzc' → 武汉卓成) or full pinyin, and the digits of a customer or contact phone."""
    query = query.strip()
    if not query:
        return qs
    condition = Q(name__icontains=query) | Q(code__iexact=query)
    lowered = query.lower()
    if lowered.isascii() and lowered.isalpha():
        condition |= Q(search_initials__startswith=lowered) | Q(search_pinyin__startswith=lowered)
    digits = services.phone_digits(query)
    if len(digits) >= 4 and len(digits) >= len(query.replace(" ", "").replace("-", "").lstrip("+")) - 2:
        condition |= Q(phone_digits__contains=digits) | Q(
            Exists(Contact.objects.filter(customer=OuterRef("pk"), phone_digits__contains=digits)))
    return qs.filter(condition)


# ---------------------------------------------------------------------------------------------------------------
# Customers


@permission_required(VIEW_CUSTOMERS)
def customer_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    qs = search_customers(customers_for(request.user), query).order_by("name", "pk")
    page = paginate(qs, page_number(request, limit=100_000), PAGE_SIZE)
    ids = [c.pk for c in page["results"]]
    cities: dict[int, list[str]] = {}
    for site in sites_for(request.user).filter(customer_id__in=ids).order_by("name"):
        names = cities.setdefault(site.customer_id, [])
        if site.city.name not in names:
            names.append(site.city.name)
    units = dict(equipment_for(request.user).filter(customer_id__in=ids).order_by()
                 .values("customer_id").annotate(n=Count("id")).values_list("customer_id", "n"))
    rows = [{"customer": c, "cities": cities.get(c.pk, []), "units": units.get(c.pk, 0)} for c in page["results"]]
    return render(request, "customers/list.html", {"page": page, "rows": rows, "q": query})


@permission_required(VIEW_CUSTOMERS)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    customer = get_object_or_404(customers_for(user), pk=pk)
    units = equipment_for(user).filter(customer=customer).order_by("site__name", "serial")
    context: dict[str, Any] = {
        "customer": customer,
        "sites": list(sites_for(user).filter(customer=customer).order_by("name")),
        "contacts": list(contacts_for(user).filter(customer=customer)),
        "equipment": list(units[:EQUIPMENT_SHOWN]),
        "equipment_count": units.count(),
        "equipment_shown": EQUIPMENT_SHOWN,
    }
    if has_perm(user, VIEW_REQUESTS):
        from aftersales.servicedesk.selectors import requests_for

        context["requests"] = list(requests_for(user).filter(customer=customer)
                                   .select_related("equipment__product_model").order_by("-created_at")[:10])
    if has_perm(user, VIEW_AUDIT):
        latest = list(customer_history(user, customer).order_by("-id")[:TIMELINE_SHOWN])
        context["entries"] = latest[::-1]
    return render(request, "customers/detail.html", context)


def _form_page(request: HttpRequest, form: VersionedForm, *, title: str, back: str, error: str = "",
               status: int = 200, multipart: bool = False) -> HttpResponse:
    return render(request, "customers/form.html",
                  {"form": form, "title": title, "back": back, "error": error, "multipart": multipart},
                  status=status)


def _save(request: HttpRequest, form: VersionedForm, write: Callable[[], Any], *, title: str, back: str,
          done: str, success: str) -> HttpResponse:
    """Run a service call for a valid form; a stale version or a broken rule is shown on the form."""
    if not form.is_valid():
        return _form_page(request, form, title=title, back=back, status=400)
    try:
        write()
    except StaleVersion as exc:
        return _form_page(request, form, title=title, back=back, error=str(exc), status=409)
    except DomainError as exc:
        return _form_page(request, form, title=title, back=back, error=str(exc), status=exc.status)
    messages.success(request, success)
    return redirect(done)


@permission_required(EDIT_CUSTOMERS)
def customer_create(request: HttpRequest) -> HttpResponse:
    title, back = _("New customer"), reverse("customers:list")
    if request.method != "POST":
        return _form_page(request, CustomerForm(), title=title, back=back)
    form = CustomerForm(request.POST)
    created: list[Customer] = []

    def write() -> None:
        created.append(services.customer_create(actor=request.user, **form.values()))

    response = _save(request, form, write, title=title, back=back, done=back, success=_("Customer saved."))
    return redirect("customers:detail", created[0].pk) if created else response


@permission_required(EDIT_CUSTOMERS)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(customers_for(request.user), pk=pk)
    title, back = _("Edit customer"), reverse("customers:detail", args=[pk])
    if request.method != "POST":
        initial = {f: getattr(customer, f) for f in ("kind", "name", "code", "phone", "email", "language", "notes")}
        form = CustomerForm(initial={**initial, "version": customer.version}, instance=customer)
        return _form_page(request, form, title=title, back=back)
    form = CustomerForm(request.POST, instance=customer)
    return _save(request, form, lambda: services.customer_update(
        actor=request.user, customer=customer, values=form.values(), expected_version=form.cleaned_data["version"]),
        title=title, back=back, done=back, success=_("Customer saved."))


# ---------------------------------------------------------------------------------------------------------------
# Sites and contacts


@permission_required(EDIT_CUSTOMERS)
def site_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(customers_for(request.user), pk=pk)
    title, back = _("New site for %(customer)s") % {"customer": customer.name}, reverse("customers:detail", args=[pk])
    form = SiteForm(request.POST or None)
    if request.method != "POST":
        return _form_page(request, form, title=title, back=back)
    return _save(request, form, lambda: services.site_create(actor=request.user, customer=customer, **form.values()),
                 title=title, back=back, done=back, success=_("Site saved."))


@permission_required(EDIT_CUSTOMERS)
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(sites_for(request.user), pk=pk)
    title, back = _("Edit site"), reverse("customers:detail", args=[site.customer_id])
    if request.method != "POST":
        form = SiteForm(initial={"name": site.name, "address": site.address, "city": site.city_id,
                                 "version": site.version})
        return _form_page(request, form, title=title, back=back)
    form = SiteForm(request.POST)
    return _save(request, form, lambda: services.site_update(
        actor=request.user, site=site, values=form.values(), expected_version=form.cleaned_data["version"]),
        title=title, back=back, done=back, success=_("Site saved."))


@permission_required(EDIT_CUSTOMERS)
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(customers_for(request.user), pk=pk)
    title, back = _("New contact for %(customer)s") % {"customer": customer.name}, reverse("customers:detail",
                                                                                           args=[pk])
    form = ContactForm(request.POST or None, sites=sites_for(request.user).filter(customer=customer))
    if request.method != "POST":
        return _form_page(request, form, title=title, back=back)
    return _save(request, form, lambda: services.contact_create(
        actor=request.user, customer=customer, **form.values()),
        title=title, back=back, done=back, success=_("Contact saved."))


@permission_required(EDIT_CUSTOMERS)
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(contacts_for(request.user), pk=pk)
    title, back = _("Edit contact"), reverse("customers:detail", args=[contact.customer_id])
    sites = sites_for(request.user).filter(customer_id=contact.customer_id)
    if request.method != "POST":
        initial = {f: getattr(contact, f) for f in ("name", "title", "phone", "email", "is_primary")}
        form = ContactForm(initial={**initial, "site": contact.site_id, "version": contact.version}, sites=sites)
        return _form_page(request, form, title=title, back=back)
    form = ContactForm(request.POST, sites=sites)
    return _save(request, form, lambda: services.contact_update(
        actor=request.user, contact=contact, values=form.values(), expected_version=form.cleaned_data["version"]),
        title=title, back=back, done=back, success=_("Contact saved."))


# ---------------------------------------------------------------------------------------------------------------
# Equipment


@permission_required(EDIT_CUSTOMERS)
def equipment_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(customers_for(request.user), pk=pk)
    title = _("New equipment unit for %(customer)s") % {"customer": customer.name}
    back = reverse("customers:detail", args=[pk])
    form = EquipmentForm(request.POST or None, sites=sites_for(request.user).filter(customer=customer))
    if request.method != "POST":
        return _form_page(request, form, title=title, back=back)
    return _save(request, form, lambda: services.equipment_create(actor=request.user, **form.values()),
                 title=title, back=back, done=back, success=_("Equipment saved."))


@permission_required(EDIT_CUSTOMERS)
def equipment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(equipment_for(request.user), pk=pk)
    title, back = _("Edit equipment unit"), reverse("customers:detail", args=[unit.customer_id])
    sites = sites_for(request.user).filter(customer_id=unit.customer_id)
    fields = ("site", "product_model", "serial", "location", "install_date", "commissioning_date",
              "warranty_start", "warranty_end")
    if request.method != "POST":
        initial = {f: getattr(unit, f"{f}_id" if f in {"site", "product_model"} else f) for f in fields}
        form = EquipmentForm(initial={**initial, "version": unit.version}, sites=sites)
        return _form_page(request, form, title=title, back=back)
    form = EquipmentForm(request.POST, sites=sites)
    return _save(request, form, lambda: services.equipment_update(
        actor=request.user, equipment=unit, values=form.values(), expected_version=form.cleaned_data["version"]),
        title=title, back=back, done=back, success=_("Equipment saved."))


# ---------------------------------------------------------------------------------------------------------------
# Product models


@permission_required(VIEW_CUSTOMERS)
def product_model_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:60]
    qs = product_models_for(request.user).order_by("code")
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(category__icontains=query))
    page = paginate(qs, page_number(request, limit=100_000), 50)
    return render(request, "customers/product_models.html", {"page": page, "q": query})


@permission_required(EDIT_CUSTOMERS)
def product_model_create(request: HttpRequest) -> HttpResponse:
    title, back = _("New product model"), reverse("customers:models")
    form = ProductModelForm(request.POST or None)
    if request.method != "POST":
        return _form_page(request, form, title=title, back=back)
    return _save(request, form, lambda: services.product_model_create(actor=request.user, **form.values()),
                 title=title, back=back, done=back, success=_("Product model saved."))


@permission_required(EDIT_CUSTOMERS)
def product_model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(product_models_for(request.user), pk=pk)
    title, back = _("Edit product model"), reverse("customers:models")
    if request.method != "POST":
        initial = {f: getattr(model, f) for f in ("code", "name", "category", "manufacturer", "warranty_months")}
        form = ProductModelForm(initial={**initial, "version": model.version}, instance=model)
        return _form_page(request, form, title=title, back=back)
    form = ProductModelForm(request.POST, instance=model)
    return _save(request, form, lambda: services.product_model_update(
        actor=request.user, product_model=model, values=form.values(),
        expected_version=form.cleaned_data["version"]),
        title=title, back=back, done=back, success=_("Product model saved."))


# ---------------------------------------------------------------------------------------------------------------
# Imports


def _samples() -> list[dict[str, str]]:
    return [{"name": name, "url": reverse("customers:import_sample", args=[name])} for name in sorted(imports.SAMPLE_FILES)]


@permission_required(IMPORT_CUSTOMERS)
def import_upload(request: HttpRequest) -> HttpResponse:
    error = ""
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = imports.import_preview(actor=request.user, kind=form.cleaned_data["kind"],
                                               upload=form.cleaned_data["file"])
            except DomainError as exc:
                error, status = str(exc), exc.status
            else:
                return redirect("customers:import_preview", batch.pk)
        else:
            status = 400
    else:
        form = ImportUploadForm()
    recent = imports.import_batches_for(request.user).defer("valid_rows", "errors")[:10]
    return render(request, "customers/import_upload.html",
                  {"form": form, "error": error, "recent": recent, "samples": _samples()}, status=status)


@permission_required(IMPORT_CUSTOMERS)
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(imports.import_batches_for(request.user), pk=pk)
    errors = imports.error_rows(batch)
    page = paginate(errors, page_number(request, limit=100_000), ERRORS_PER_PAGE)
    return render(request, "customers/import_preview.html", {
        "batch": batch, "summary": imports.batch_summary(batch), "page": page,
        "first_rows": batch.valid_rows[:imports.PREVIEW_ROWS], "pending": batch.state == ImportState.PREVIEW,
    })


def _batch_action(request: HttpRequest, pk: int, action: Callable[..., Any], done: str) -> HttpResponse:
    batch = get_object_or_404(imports.import_batches_for(request.user), pk=pk)
    try:
        action(actor=request.user, batch=batch)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("customers:import_preview", batch.pk)


@require_POST
@permission_required(IMPORT_CUSTOMERS)
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, imports.import_confirm, _("Import finished: the valid rows were saved."))


@require_POST
@permission_required(IMPORT_CUSTOMERS)
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, imports.import_discard, _("Import discarded: nothing was saved."))


@permission_required(IMPORT_CUSTOMERS)
def import_sample(request: HttpRequest, name: str) -> FileResponse:
    path = imports.sample_path(name)
    if path is None:
        raise Http404
    content_type = "text/csv; charset=utf-8" if name.endswith(".csv") else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
