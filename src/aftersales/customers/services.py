"""Every write to customers, sites, contacts, product models and equipment."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from pypinyin import Style, lazy_pinyin

from aftersales.core import services as core
from aftersales.core.models import Region
from aftersales.core.permissions import EDIT_CUSTOMERS, require

from .error_codes import CityRequired, CodeTaken, DuplicateSerial, SiteNotOfCustomer, WarrantyEndBeforeStart
from .models import Contact, Customer, Equipment, ProductModel, Site

_DIGITS = re.compile(r"\D+")


def phone_digits(phone: str) -> str:
    """The digits a caller would type: '+86 027-8765 4321' → '02787654321' (country code dropped)."""
    digits = _DIGITS.sub("", phone or "")
    if digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    return digits[-20:]


def pinyin_keys(name: str) -> tuple[str, str]:
    """Initials and full pinyin of a name, lower case: 武汉卓成 → ('whzc', 'wuhanzhuocheng')."""
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: [c for c in s if c.isalnum()]))
    full = "".join(lazy_pinyin(name, errors=lambda s: [c for c in s if c.isalnum()]))
    return initials.lower()[:60], full.lower()[:240]


@contextmanager
def _code_unique() -> Iterator[None]:
    """A unique code another record already holds is the user's mistake, not a server error."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise CodeTaken()


def _check_warranty(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise WarrantyEndBeforeStart()


def _customer_search_fields(name: str, phone: str) -> dict[str, str]:
    initials, full = pinyin_keys(name)
    return {"search_initials": initials, "search_pinyin": full, "phone_digits": phone_digits(phone)}


@transaction.atomic
def customer_create(*, actor: Any, name: str, kind: str = "company", code: str | None = None, phone: str = "",
                    email: str = "", language: str = "zh-hans", notes: str = "") -> Customer:
    require(actor, EDIT_CUSTOMERS)
    with _code_unique():
        return core.create(Customer, actor=actor, name=name, kind=kind, code=code or None, phone=phone,
                           email=email, language=language, notes=notes, **_customer_search_fields(name, phone))


@transaction.atomic
def customer_update(*, actor: Any, customer: Customer, values: dict[str, Any],
                    expected_version: int | None = None) -> Customer:
    require(actor, EDIT_CUSTOMERS)
    values = dict(values)
    if "name" in values or "phone" in values:
        values.update(_customer_search_fields(values.get("name", customer.name), values.get("phone", customer.phone)))
    with _code_unique():
        return core.save_changes(customer, actor=actor, values=values, expected_version=expected_version)


def _place(city: Region | None) -> dict[str, Region]:
    if city is None or city.kind != Region.Kind.CITY:
        raise CityRequired()
    return {"city": city, "province": city.province}


@transaction.atomic
def site_create(*, actor: Any, customer: Customer, name: str, address: str, city: Region) -> Site:
    require(actor, EDIT_CUSTOMERS)
    return core.create(Site, actor=actor, parent=customer, customer=customer, name=name, address=address,
                       **_place(city))


@transaction.atomic
def site_update(*, actor: Any, site: Site, values: dict[str, Any], expected_version: int | None = None) -> Site:
    require(actor, EDIT_CUSTOMERS)
    values = dict(values)
    if "city" in values:
        values.update(_place(values["city"]))
    return core.save_changes(site, actor=actor, values=values, expected_version=expected_version,
                             parent=site.customer)


@transaction.atomic
def contact_create(*, actor: Any, customer: Customer, name: str, phone: str, site: Site | None = None,
                   title: str = "", email: str = "", is_primary: bool = False) -> Contact:
    require(actor, EDIT_CUSTOMERS)
    if site is not None and site.customer_id != customer.pk:
        raise SiteNotOfCustomer()
    return core.create(Contact, actor=actor, parent=customer, customer=customer, site=site, name=name,
                       phone=phone, phone_digits=phone_digits(phone), title=title, email=email,
                       is_primary=is_primary)


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, values: dict[str, Any],
                   expected_version: int | None = None) -> Contact:
    require(actor, EDIT_CUSTOMERS)
    values = dict(values)
    if "phone" in values:
        values["phone_digits"] = phone_digits(values["phone"])
    site = values.get("site")
    if site is not None and site.customer_id != contact.customer_id:
        raise SiteNotOfCustomer()
    return core.save_changes(contact, actor=actor, values=values, expected_version=expected_version,
                             parent=contact.customer)


@transaction.atomic
def product_model_create(*, actor: Any, code: str, name: str, category: str = "", manufacturer: str = "",
                         warranty_months: int = 12) -> ProductModel:
    require(actor, EDIT_CUSTOMERS)
    with _code_unique():
        return core.create(ProductModel, actor=actor, code=code, name=name, category=category,
                           manufacturer=manufacturer, warranty_months=warranty_months)


@transaction.atomic
def product_model_update(*, actor: Any, product_model: ProductModel, values: dict[str, Any],
                         expected_version: int | None = None) -> ProductModel:
    require(actor, EDIT_CUSTOMERS)
    with _code_unique():
        return core.save_changes(product_model, actor=actor, values=values, expected_version=expected_version)


def default_warranty(product_model: ProductModel, start: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """Warranty runs from commissioning (or installation) for the model's default number of months."""
    if start is None:
        return None, None
    return start, start + relativedelta(months=product_model.warranty_months) - dt.timedelta(days=1)


@transaction.atomic
def equipment_create(*, actor: Any, product_model: ProductModel, serial: str, site: Site, location: str = "",
                     install_date: dt.date | None = None, commissioning_date: dt.date | None = None,
                     warranty_start: dt.date | None = None, warranty_end: dt.date | None = None) -> Equipment:
    require(actor, EDIT_CUSTOMERS)
    if warranty_start is None and warranty_end is None:
        warranty_start, warranty_end = default_warranty(product_model, commissioning_date or install_date)
    _check_warranty(warranty_start, warranty_end)
    try:
        with transaction.atomic():
            return core.create(Equipment, actor=actor, parent=site.customer, product_model=product_model,
                               serial=serial.strip(), customer=site.customer, site=site, location=location,
                               install_date=install_date, commissioning_date=commissioning_date,
                               warranty_start=warranty_start, warranty_end=warranty_end)
    except IntegrityError as exc:
        if "serial" in str(exc).lower() or "unique" in str(exc).lower():
            raise DuplicateSerial(serial=serial)
        raise


@transaction.atomic
def equipment_update(*, actor: Any, equipment: Equipment, values: dict[str, Any],
                     expected_version: int | None = None) -> Equipment:
    require(actor, EDIT_CUSTOMERS)
    values = dict(values)
    _check_warranty(values.get("warranty_start", equipment.warranty_start),
                    values.get("warranty_end", equipment.warranty_end))
    if "site" in values:
        values["customer"] = values["site"].customer
    try:
        with transaction.atomic():
            return core.save_changes(equipment, actor=actor, values=values, expected_version=expected_version,
                                     parent=equipment.customer)
    except IntegrityError:
        raise DuplicateSerial(serial=values.get("serial", equipment.serial))
