"""Reads of customers and the installed base, scoped to what the user may see."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import post_delete, post_save

from aftersales.core.permissions import VIEW_CUSTOMERS, has_perm, read_scope

from .models import Contact, Customer, Equipment, ProductModel, Site
from .services import phone_digits

# Product models are reference data that every request page and request list names. Kept per process by id for
# MODEL_CACHE_SECONDS, read in one IN query for the ids not yet known; a save or delete in this process clears it,
# other processes see an edit within MODEL_CACHE_SECONDS (the same rule as the fault categories and SLA policies).
MODEL_CACHE_SECONDS = 30.0
_MODELS: dict[str, Any] = {"at": 0.0, "rows": {}}


def forget_product_models(**kwargs: Any) -> None:
    _MODELS["rows"] = {}


post_save.connect(forget_product_models, sender=ProductModel, dispatch_uid="product-model-cache-save")
post_delete.connect(forget_product_models, sender=ProductModel, dispatch_uid="product-model-cache-delete")


def product_models_by_id(ids: Iterable[int]) -> dict[int, ProductModel]:
    """The product models with these ids (unknown ids are left out). Treat them as read-only: they are shared."""
    now = time.monotonic()
    if now - _MODELS["at"] > MODEL_CACHE_SECONDS:
        _MODELS["rows"], _MODELS["at"] = {}, now
    rows: dict[int, ProductModel] = _MODELS["rows"]
    wanted = set(ids)
    missing = wanted - rows.keys()
    if missing:
        rows.update(ProductModel.objects.in_bulk(missing))
    return {i: rows[i] for i in wanted if i in rows}


def customers_for(user: Any) -> QuerySet[Customer]:
    """Customers the user may see: all for office roles, his region's for a lead, none for others."""
    qs = Customer.objects.all()
    if not has_perm(user, VIEW_CUSTOMERS):
        return qs.none()
    if user.role == "lead":
        return qs.filter(Exists(Site.objects.filter(customer=OuterRef("pk"), province_id=user.region_id)))
    return qs


def sites_for(user: Any) -> QuerySet[Site]:
    qs = Site.objects.select_related("customer", "city", "province")
    if not has_perm(user, VIEW_CUSTOMERS):
        return qs.none()
    if user.role == "lead":
        return qs.filter(province_id=user.region_id)
    return qs


def contacts_for(user: Any) -> QuerySet[Contact]:
    """Contacts the user may see: a lead those at his province's sites and the customer-wide ones (no site) of
    his customers; other roles with the permission all."""
    qs = Contact.objects.select_related("customer", "site")
    if not has_perm(user, VIEW_CUSTOMERS):
        return qs.none()
    if user.role == "lead":
        return qs.filter(Q(site__province_id=user.region_id)
                         | Q(site__isnull=True, customer__in=customers_for(user).values("pk")))
    return qs


def customer_history(user: Any, customer: Customer) -> QuerySet[Any]:
    """The customer's timeline (its own entries and those of the records filed under it) as far as the user may
    see it: a lead sees the customer's own entries and those of the sites, contacts and units of his province;
    contracts, which may cover units of several provinces, keep their history on their own page."""
    from django.contrib.contenttypes.models import ContentType

    from aftersales.core import audit

    entries = audit.timeline(customer)
    if user.role != "lead":
        return entries
    ct = ContentType.objects.get_for_model
    visible = Q(content_type=ct(Customer), object_id=customer.pk)
    for model, qs in ((Site, sites_for(user)), (Contact, contacts_for(user)), (Equipment, equipment_for(user))):
        visible |= Q(content_type=ct(model), object_id__in=qs.filter(customer=customer).values("pk"))
    return entries.filter(visible)


def equipment_for(user: Any) -> QuerySet[Equipment]:
    scope, ids = read_scope(user, VIEW_CUSTOMERS)
    return equipment_in_scope(scope, *ids)


def equipment_in_scope(scope: str, *ids: int) -> QuerySet[Equipment]:
    """`equipment_for` from the user's `read_scope`: a lead sees the units at sites of his province, every other
    role with the permission all units (an engineer's "own" scope is for his work, not for the installed base)."""
    qs = Equipment.objects.select_related("product_model", "customer", "site", "site__city")
    if scope == "none":
        return qs.none()
    if scope == "region":
        return qs.filter(site__province_id=ids[0])
    if scope == "no-region":
        return qs.filter(site__province_id=None)
    return qs


def product_models_for(user: Any) -> QuerySet[ProductModel]:
    return ProductModel.objects.all()


PER_CUSTOMER = 20


@dataclass
class CustomerMatch:
    """One customer found at intake, with the sites, contacts and equipment that matched or belong to it."""

    customer: Customer
    reasons: set[str] = field(default_factory=set)
    sites: list[Site] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    equipment: list[Equipment] = field(default_factory=list)
    equipment_total: int = 0


def intake_search(user: Any, query: str, limit: int = 8) -> list[CustomerMatch]:
    """Find customers by phone, serial number, name, or pinyin initials ('whzc' → 武汉卓成)."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    customers = customers_for(user)
    digits = phone_digits(query)
    found: dict[int, CustomerMatch] = {}

    def add(customer: Customer, reason: str) -> CustomerMatch:
        match = found.get(customer.pk)
        if match is None:
            match = found[customer.pk] = CustomerMatch(customer)
        match.reasons.add(reason)
        return match

    matched_units = list(equipment_for(user).filter(serial__iexact=query)[:limit]) or list(
        equipment_for(user).filter(serial__istartswith=query)[:limit]
    )
    for unit in matched_units:
        add(unit.customer, "serial")
    if len(digits) >= 4 and len(digits) >= len(query.replace(" ", "").replace("-", "")) - 1:
        for contact in contacts_for(user).filter(phone_digits__endswith=digits)[:limit]:
            add(contact.customer, "phone").contacts.append(contact)
        for customer in customers.filter(phone_digits__endswith=digits)[:limit]:
            add(customer, "phone")
    lowered = query.lower()
    name_q = Q(name__icontains=query)
    if lowered.isascii() and lowered.isalpha():
        name_q |= Q(search_initials__startswith=lowered) | Q(search_pinyin__startswith=lowered)
    for customer in customers.filter(name_q).order_by("name")[:limit]:
        add(customer, "name")
    if not digits and len(query) >= 2:  # a contact's name: the caller often gives his own, not the company's
        for contact in contacts_for(user).filter(name__icontains=query).order_by("name")[:limit]:
            add(contact.customer, "contact").contacts.append(contact)

    matches = list(found.values())[:limit]
    ids = [m.customer.pk for m in matches]
    by_id = {m.customer.pk: m for m in matches}
    for site in sites_for(user).filter(customer_id__in=ids).order_by("name")[: PER_CUSTOMER * len(ids)]:
        by_id[site.customer_id].sites.append(site)
    # A truck fleet has thousands of units: show the matched ones first, then a bounded number per customer.
    matched_unit_ids = {u.pk for u in matched_units}
    for m in matches:
        m.equipment_total = equipment_for(user).filter(customer_id=m.customer.pk).count()
        units = list(equipment_for(user).filter(customer_id=m.customer.pk).exclude(pk__in=matched_unit_ids)
                     .order_by("site_id", "serial")[:PER_CUSTOMER])
        m.equipment = [u for u in matched_units if u.customer_id == m.customer.pk] + units
        for unit in m.equipment:
            unit.matched = unit.pk in matched_unit_ids
        m.contacts = []
    for contact in contacts_for(user).filter(customer_id__in=ids)[: PER_CUSTOMER * len(ids)]:
        by_id[contact.customer_id].contacts.append(contact)
    return matches
