"""REST endpoints for customers and the installed base; thin: parse, call a selector or service, shape the answer.

Reads start from the scoped selectors (a regional lead sees his province's customers only, an engineer none);
writes go through `customers.services`. Every write of an existing record honours `If-Match`.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from aftersales.core.api import Page, get_or_404, needs, paginate
from aftersales.core.api_support import (
    actor,
    etag,
    if_match,
    page_no,
    page_size,
    path_id,
    query_id,
    responses,
    sort_keys,
    sort_param,
)
from aftersales.core.errors import ValidationFailed
from aftersales.core.models import Region
from aftersales.core.permissions import EDIT_CUSTOMERS, VIEW_CUSTOMERS

from . import selectors, services
from .models import Contact, Customer, Equipment, ProductModel, Site
from .schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    EquipmentIn,
    EquipmentOut,
    EquipmentPatch,
    ProductModelIn,
    ProductModelOut,
    ProductModelPatch,
    SiteIn,
    SiteOut,
    SitePatch,
)

router = Router(tags=["customers"])

Q_DOC = "Free-text search"


class CodeTaken(ValidationFailed):
    code = "code_taken"
    default_message = _("This code is already in use.")


def _unique(fn: Any, **kwargs: Any) -> Any:
    """Run a service; a unique code that another record already holds answers 422 `code_taken`."""
    try:
        return fn(**kwargs)
    except IntegrityError:
        raise CodeTaken()


def _city(pk: int) -> Region:
    return get_or_404(Region.objects.select_related("parent"), pk)


def _patch_values(body: Any) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True)


# Sort keys of the lists: each an order an index serves (the primary key stands for the creation order).
CREATED = {"created": ("id",), "-created": ("-id",)}
CUSTOMER_SORTS = {"name": ("name", "id"), "-name": ("-name", "-id"), "code": ("code", "id"),
                  "-code": ("-code", "-id"), **CREATED}
SITE_SORTS = {"customer": ("customer_id", "name", "id"), **CREATED}
CONTACT_SORTS = {"customer": ("customer_id", "-is_primary", "name", "id"), **CREATED}
MODEL_SORTS = {"code": ("code", "id"), "-code": ("-code", "-id"), **CREATED}
EQUIPMENT_SORTS = {"serial": ("serial", "id"), "-serial": ("-serial", "-id"), **CREATED}
CustomerSort, SiteSort, ContactSort, ModelSort, EquipmentSort = (
    sort_keys(o) for o in (CUSTOMER_SORTS, SITE_SORTS, CONTACT_SORTS, MODEL_SORTS, EQUIPMENT_SORTS))


# Customers ---------------------------------------------------------------------------------------------------

@router.get("/customers", auth=needs(VIEW_CUSTOMERS), response=responses(200, Page[CustomerOut]), summary="List customers",
            description="Customers the caller may see (a regional lead: those with a site in his province), by "
                        "name. `q` matches the name, its pinyin initials (`whzc`) or the end of a phone number.")
def customer_list(request: HttpRequest, q: str = Query("", max_length=100, description=Q_DOC),
                  kind: str = Query(None, pattern="^(company|person)$", description="company or person"),
                  sort: CustomerSort = sort_param("name", CUSTOMER_SORTS),
                  page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    user = actor(request, VIEW_CUSTOMERS)
    qs: QuerySet[Customer] = selectors.customers_for(user)
    if kind:
        qs = qs.filter(kind=kind)
    q = q.strip()
    if q:
        cond = Q(name__icontains=q)
        if q.isascii() and q.isalpha():
            cond |= Q(search_initials__startswith=q.lower())
        digits = services.phone_digits(q)
        if len(digits) >= 4:
            cond |= Q(phone_digits__endswith=digits)
        qs = qs.filter(cond)
    return paginate(qs.order_by(*CUSTOMER_SORTS[sort]), page, page_size)


@router.get("/customers/{id}", auth=needs(VIEW_CUSTOMERS), response=responses(200, CustomerOut), summary="Get a customer",
            description="One customer; the `ETag` header carries its version for a later `If-Match`.")
def customer_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Customer:  # noqa: A002
    customer = get_or_404(selectors.customers_for(actor(request, VIEW_CUSTOMERS)), id)
    etag(response, customer)
    return customer


@router.post("/customers", auth=needs(EDIT_CUSTOMERS), response=responses(201, CustomerOut, write=True), summary="Create a customer",
             description="A company or a person we serve. `code`, when given, must be unique.")
def customer_create(request: HttpRequest, response: HttpResponse, body: CustomerIn) -> Status:
    user = actor(request, EDIT_CUSTOMERS)
    customer = _unique(services.customer_create, actor=user, **body.model_dump())
    etag(response, customer)
    return Status(201, customer)


@router.patch("/customers/{id}", auth=needs(EDIT_CUSTOMERS), response=responses(200, CustomerOut, write=True), summary="Update a customer",
              description="Change only the fields sent. Send the `ETag` you read as `If-Match`; a stale version "
                          "answers 412 `stale_version` and changes nothing.")
def customer_update(request: HttpRequest, response: HttpResponse, body: CustomerPatch,
                    id: int = path_id()) -> Customer:  # noqa: A002
    user = actor(request, EDIT_CUSTOMERS)
    customer = get_or_404(selectors.customers_for(user), id)
    customer = _unique(services.customer_update, actor=user, customer=customer, values=_patch_values(body),
                       expected_version=if_match(request))
    etag(response, customer)
    return customer


# Sites -------------------------------------------------------------------------------------------------------

@router.get("/sites", auth=needs(VIEW_CUSTOMERS), response=responses(200, Page[SiteOut]), summary="List sites",
            description="Sites the caller may see, filtered by customer, city or province; `q` matches name or "
                        "address.")
def site_list(request: HttpRequest, customer: int = query_id("Customer id"), city: int = query_id("City id"),
              province: int = query_id("Province id"), q: str = Query("", max_length=100, description=Q_DOC),
              sort: SiteSort = sort_param("customer", SITE_SORTS),
              page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.sites_for(actor(request, VIEW_CUSTOMERS))
    if customer:
        qs = qs.filter(customer_id=customer)
    if city:
        qs = qs.filter(city_id=city)
    if province:
        qs = qs.filter(province_id=province)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(address__icontains=q.strip()))
    return paginate(qs.order_by(*SITE_SORTS[sort]), page, page_size)


@router.get("/sites/{id}", auth=needs(VIEW_CUSTOMERS), response=responses(200, SiteOut), summary="Get a site",
            description="One site with its customer, city and province; `ETag` carries its version.")
def site_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Site:  # noqa: A002
    site = get_or_404(selectors.sites_for(actor(request, VIEW_CUSTOMERS)), id)
    etag(response, site)
    return site


@router.post("/sites", auth=needs(EDIT_CUSTOMERS), response=responses(201, SiteOut, write=True), summary="Create a site",
             description="A place where the customer has equipment. `city_id` must be a city; the province "
                         "follows from it.")
def site_create(request: HttpRequest, response: HttpResponse, body: SiteIn) -> Status:
    user = actor(request, EDIT_CUSTOMERS)
    customer = get_or_404(selectors.customers_for(user), body.customer_id)
    site = services.site_create(actor=user, customer=customer, name=body.name, address=body.address,
                                city=_city(body.city_id))
    etag(response, site)
    return Status(201, site)


@router.patch("/sites/{id}", auth=needs(EDIT_CUSTOMERS), response=responses(200, SiteOut, write=True), summary="Update a site",
              description="Change name, address or city (the province follows). Honours `If-Match`.")
def site_update(request: HttpRequest, response: HttpResponse, body: SitePatch,
                id: int = path_id()) -> Site:  # noqa: A002
    user = actor(request, EDIT_CUSTOMERS)
    site = get_or_404(selectors.sites_for(user), id)
    values = _patch_values(body)
    if "city_id" in values:
        values["city"] = _city(values.pop("city_id"))
    site = services.site_update(actor=user, site=site, values=values, expected_version=if_match(request))
    etag(response, site)
    return site


# Contacts ----------------------------------------------------------------------------------------------------

@router.get("/contacts", auth=needs(VIEW_CUSTOMERS), response=responses(200, Page[ContactOut]), summary="List contacts",
            description="Contacts of the customers the caller may see; `q` matches the name or the end of a phone "
                        "number.")
def contact_list(request: HttpRequest, customer: int = query_id("Customer id"), site: int = query_id("Site id"),
                 q: str = Query("", max_length=100, description=Q_DOC),
                 sort: ContactSort = sort_param("customer", CONTACT_SORTS),
                 page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.contacts_for(actor(request, VIEW_CUSTOMERS))
    if customer:
        qs = qs.filter(customer_id=customer)
    if site:
        qs = qs.filter(site_id=site)
    q = q.strip()
    if q:
        digits = services.phone_digits(q)
        cond = Q(name__icontains=q)
        if len(digits) >= 4:
            cond |= Q(phone_digits__endswith=digits)
        qs = qs.filter(cond)
    return paginate(qs.order_by(*CONTACT_SORTS[sort]), page, page_size)


@router.get("/contacts/{id}", auth=needs(VIEW_CUSTOMERS), response=responses(200, ContactOut), summary="Get a contact",
            description="One contact person; `ETag` carries its version.")
def contact_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Contact:  # noqa: A002
    contact = get_or_404(selectors.contacts_for(actor(request, VIEW_CUSTOMERS)), id)
    etag(response, contact)
    return contact


def _site_of(user: Any, site_id: int | None) -> Site | None:
    return get_or_404(selectors.sites_for(user), site_id) if site_id else None


@router.post("/contacts", auth=needs(EDIT_CUSTOMERS), response=responses(201, ContactOut, write=True), summary="Create a contact",
             description="A person we talk to at a customer, optionally tied to one of its sites.")
def contact_create(request: HttpRequest, response: HttpResponse, body: ContactIn) -> Status:
    user = actor(request, EDIT_CUSTOMERS)
    customer = get_or_404(selectors.customers_for(user), body.customer_id)
    values = body.model_dump(exclude={"customer_id", "site_id"})
    contact = services.contact_create(actor=user, customer=customer, site=_site_of(user, body.site_id), **values)
    etag(response, contact)
    return Status(201, contact)


@router.patch("/contacts/{id}", auth=needs(EDIT_CUSTOMERS), response=responses(200, ContactOut, write=True), summary="Update a contact",
              description="Change only the fields sent; `site_id: null` detaches the contact from its site. "
                          "Honours `If-Match`.")
def contact_update(request: HttpRequest, response: HttpResponse, body: ContactPatch,
                   id: int = path_id()) -> Contact:  # noqa: A002
    user = actor(request, EDIT_CUSTOMERS)
    contact = get_or_404(selectors.contacts_for(user), id)
    values = _patch_values(body)
    if "site_id" in values:
        values["site"] = _site_of(user, values.pop("site_id"))
    contact = services.contact_update(actor=user, contact=contact, values=values, expected_version=if_match(request))
    etag(response, contact)
    return contact


# Product models ----------------------------------------------------------------------------------------------

@router.get("/product-models", auth=needs(VIEW_CUSTOMERS), response=responses(200, Page[ProductModelOut]), summary="List product models",
            description="Models of product we sell and service; `q` matches the code or the name.")
def product_model_list(request: HttpRequest, q: str = Query("", max_length=100, description=Q_DOC),
                       sort: ModelSort = sort_param("code", MODEL_SORTS),
                       page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.product_models_for(actor(request, VIEW_CUSTOMERS))
    q = q.strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return paginate(qs.order_by(*MODEL_SORTS[sort]), page, page_size)


@router.get("/product-models/{id}", auth=needs(VIEW_CUSTOMERS), response=responses(200, ProductModelOut), summary="Get a product model",
            description="One product model; `ETag` carries its version.")
def product_model_get(request: HttpRequest, response: HttpResponse,
                      id: int = path_id()) -> ProductModel:  # noqa: A002
    product_model = get_or_404(selectors.product_models_for(actor(request, VIEW_CUSTOMERS)), id)
    etag(response, product_model)
    return product_model


@router.post("/product-models", auth=needs(EDIT_CUSTOMERS), response=responses(201, ProductModelOut, write=True),
             summary="Create a product model",
             description="A model code (unique) with its default warranty in months.")
def product_model_create(request: HttpRequest, response: HttpResponse,
                         body: ProductModelIn) -> Status:
    user = actor(request, EDIT_CUSTOMERS)
    product_model = _unique(services.product_model_create, actor=user, **body.model_dump())
    etag(response, product_model)
    return Status(201, product_model)


@router.patch("/product-models/{id}", auth=needs(EDIT_CUSTOMERS), response=responses(200, ProductModelOut, write=True),
              summary="Update a product model", description="Change only the fields sent. Honours `If-Match`.")
def product_model_update(request: HttpRequest, response: HttpResponse, body: ProductModelPatch,
                         id: int = path_id()) -> ProductModel:  # noqa: A002
    user = actor(request, EDIT_CUSTOMERS)
    product_model = get_or_404(selectors.product_models_for(user), id)
    product_model = _unique(services.product_model_update, actor=user, product_model=product_model,
                            values=_patch_values(body), expected_version=if_match(request))
    etag(response, product_model)
    return product_model


# Equipment ---------------------------------------------------------------------------------------------------

@router.get("/equipment", auth=needs(VIEW_CUSTOMERS), response=responses(200, Page[EquipmentOut]), summary="List equipment units",
            description="Installed units the caller may see, with warranty status; `q` matches the start of the "
                        "serial number.")
def equipment_list(request: HttpRequest, customer: int = query_id("Customer id"), site: int = query_id("Site id"),
                   product_model: int = query_id("Product model id"),
                   q: str = Query("", max_length=60, description="Serial number prefix"),
                   sort: EquipmentSort = sort_param("serial", EQUIPMENT_SORTS),
                   page: int = page_no(), page_size: int = page_size()) -> dict[str, Any]:
    qs = selectors.equipment_for(actor(request, VIEW_CUSTOMERS))
    if customer:
        qs = qs.filter(customer_id=customer)
    if site:
        qs = qs.filter(site_id=site)
    if product_model:
        qs = qs.filter(product_model_id=product_model)
    if q.strip():
        qs = qs.filter(serial__istartswith=q.strip())
    return paginate(qs.order_by(*EQUIPMENT_SORTS[sort]), page, page_size)


@router.get("/equipment/{id}", auth=needs(VIEW_CUSTOMERS), response=responses(200, EquipmentOut), summary="Get an equipment unit",
            description="One unit with its model, customer, site and warranty status; `ETag` carries its version.")
def equipment_get(request: HttpRequest, response: HttpResponse, id: int = path_id()) -> Equipment:  # noqa: A002
    unit = get_or_404(selectors.equipment_for(actor(request, VIEW_CUSTOMERS)), id)
    etag(response, unit)
    return unit


@router.post("/equipment", auth=needs(EDIT_CUSTOMERS), response=responses(201, EquipmentOut, write=True), summary="Create an equipment unit",
             description="A unit installed at a site. The serial is unique per model (422 `duplicate_serial`). "
                         "Without warranty dates, warranty runs from commissioning for the model's months.")
def equipment_create(request: HttpRequest, response: HttpResponse, body: EquipmentIn) -> Status:
    user = actor(request, EDIT_CUSTOMERS)
    product_model = get_or_404(selectors.product_models_for(user), body.product_model_id)
    site = get_or_404(selectors.sites_for(user), body.site_id)
    values = body.model_dump(exclude={"product_model_id", "site_id"})
    unit = services.equipment_create(actor=user, product_model=product_model, site=site, **values)
    etag(response, unit)
    return Status(201, unit)


class WarrantyOrder(ValidationFailed):
    code = "warranty_end_before_start"
    default_message = _("The warranty cannot end before it starts.")


@router.patch("/equipment/{id}", auth=needs(EDIT_CUSTOMERS), response=responses(200, EquipmentOut, write=True),
              summary="Update an equipment unit",
              description="Change only the fields sent; moving to another site moves it to that site's customer. "
                          "Honours `If-Match`.")
def equipment_update(request: HttpRequest, response: HttpResponse, body: EquipmentPatch,
                     id: int = path_id()) -> Equipment:  # noqa: A002
    user = actor(request, EDIT_CUSTOMERS)
    unit = get_or_404(selectors.equipment_for(user), id)
    values = _patch_values(body)
    if "site_id" in values:
        values["site"] = get_or_404(selectors.sites_for(user), values.pop("site_id"))
    start = values.get("warranty_start", unit.warranty_start)
    end = values.get("warranty_end", unit.warranty_end)
    if start and end and end < start:
        raise WarrantyOrder()
    unit = services.equipment_update(actor=user, equipment=unit, values=values, expected_version=if_match(request))
    etag(response, unit)
    return unit
