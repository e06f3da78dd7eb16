"""In/Out schemas of the customers API: customers, sites, contacts, product models, equipment units.

`*In` schemas are create bodies, `*Patch` schemas partial updates (an omitted field is left alone; `null` is
accepted only where the record may be empty). `*Ref` schemas are the short summaries other resources embed.
"""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_noop
from ninja import Schema
from pydantic import AfterValidator, Field, model_validator

from aftersales.core.api_support import Day, Id, Line, Text

from .choices import CustomerKind, WarrantyStatus


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError(gettext_noop("Enter a valid email address."))
    return value


Email = Annotated[Line(254), AfterValidator(_email)]
Kind = Literal[tuple(CustomerKind.values)]  # type: ignore[valid-type]
Language = Literal["zh-hans", "en"]


class RegionRef(Schema):
    id: int
    code: str
    name: str
    name_en: str = ""


class CustomerRef(Schema):
    id: int
    name: str
    phone: str = ""


class SiteRef(Schema):
    id: int
    name: str
    address: str


class ProductModelRef(Schema):
    id: int
    code: str
    name: str


class EquipmentRef(Schema):
    """An equipment unit as other records show it: model, serial and warranty status today."""

    id: int
    serial: str
    product_model: ProductModelRef
    warranty_end: dt.date | None = None
    warranty_status: str = Field(description="in_warranty, expired or unknown (today, in the user's time zone).",
                                 examples=list(WarrantyStatus.values))

    @staticmethod
    def resolve_warranty_status(obj: object) -> str:
        return str(obj.warranty_status())  # type: ignore[attr-defined]


# Customers ---------------------------------------------------------------------------------------------------

class CustomerIn(Schema):
    kind: Kind = Field("company", description="company or person")
    name: Line(120, 1) = Field(examples=["武汉卓成机电有限公司"])
    code: Line(30) | None = Field(None, description="Your own customer code; unique when given.",
                                  examples=["C-0001"])
    phone: Line(32) = Field("", examples=["027-8765 4321"])
    email: Email = ""
    language: Language = Field("zh-hans", description="Language of receipts and messages to the customer.")
    notes: Text(5_000) = ""


class CustomerPatch(Schema):
    kind: Kind = None
    name: Line(120, 1) = None
    code: Line(30) | None = None
    phone: Line(32) = None
    email: Email = None
    language: Language = None
    notes: Text(5_000) = None


class CustomerOut(Schema):
    id: int
    kind: str = Field(examples=["company"])
    name: str
    code: str | None = None
    phone: str
    email: str
    language: str
    notes: str
    version: int = Field(description="Send back as If-Match to update.")
    created_at: dt.datetime
    updated_at: dt.datetime


# Sites -------------------------------------------------------------------------------------------------------

class SiteIn(Schema):
    customer_id: Id
    name: Line(120, 1) = Field(examples=["卓成大厦"])
    address: Line(240, 1) = Field(examples=["武汉市洪山区珞喻路 1 号"])
    city_id: Id = Field(description="A region of kind city; the province follows from it.")


class SitePatch(Schema):
    name: Line(120, 1) = None
    address: Line(240, 1) = None
    city_id: Id = None


class SiteOut(Schema):
    id: int
    customer: CustomerRef
    name: str
    address: str
    city: RegionRef
    province: RegionRef
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


# Contacts ----------------------------------------------------------------------------------------------------

class ContactIn(Schema):
    customer_id: Id
    site_id: Id | None = None
    name: Line(60, 1) = Field(examples=["张经理"])
    title: Line(60) = Field("", examples=["工程部经理"])
    phone: Line(32, 1) = Field(examples=["138 0027 1234"])
    email: Email = ""
    is_primary: bool = False


class ContactPatch(Schema):
    site_id: Id | None = None
    name: Line(60, 1) = None
    title: Line(60) = Field(None, examples=["工程部经理"])
    phone: Line(32, 1) = None
    email: Email = None
    is_primary: bool = None


class ContactOut(Schema):
    id: int
    customer: CustomerRef
    site: SiteRef | None = None
    name: str
    title: str = Field(examples=["工程部经理"])
    phone: str
    email: str
    is_primary: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


# Product models ----------------------------------------------------------------------------------------------

class ProductModelIn(Schema):
    code: Line(40, 1) = Field(examples=["LSBLG-1200"])
    name: Line(120, 1) = Field(examples=["螺杆式冷水机组"])
    category: Line(60) = ""
    manufacturer: Line(80) = ""
    warranty_months: int = Field(12, ge=0, le=600)


class ProductModelPatch(Schema):
    code: Line(40, 1) = None
    name: Line(120, 1) = None
    category: Line(60) = None
    manufacturer: Line(80) = None
    warranty_months: int = Field(None, ge=0, le=600)


class ProductModelOut(Schema):
    id: int
    code: str
    name: str
    category: str
    manufacturer: str
    warranty_months: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


# Equipment ---------------------------------------------------------------------------------------------------

def _check_warranty(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise ValueError(gettext_noop("The warranty must not end before it starts."))


class EquipmentIn(Schema):
    product_model_id: Id
    serial: Line(60, 1) = Field(examples=["SN20240001"])
    site_id: Id
    location: Line(120) = Field("", examples=["B2 冷冻机房"])
    install_date: Day | None = None
    commissioning_date: Day | None = None
    warranty_start: Day | None = Field(None, description="Defaults to commissioning (or installation) date.")
    warranty_end: Day | None = Field(None, description="Defaults to start + the model's warranty months.")

    @model_validator(mode="after")
    def _warranty_order(self) -> "EquipmentIn":
        _check_warranty(self.warranty_start, self.warranty_end)
        return self


class EquipmentPatch(Schema):
    serial: Line(60, 1) = None
    site_id: Id = None
    location: Line(120) = None
    install_date: Day | None = None
    commissioning_date: Day | None = None
    warranty_start: Day | None = None
    warranty_end: Day | None = None

    @model_validator(mode="after")
    def _warranty_order(self) -> "EquipmentPatch":
        _check_warranty(self.warranty_start, self.warranty_end)
        return self


class EquipmentOut(Schema):
    id: int
    serial: str
    product_model: ProductModelRef
    customer: CustomerRef
    site: SiteRef
    location: str
    install_date: dt.date | None = None
    commissioning_date: dt.date | None = None
    warranty_start: dt.date | None = None
    warranty_end: dt.date | None = None
    warranty_status: str = Field(examples=list(WarrantyStatus.values))
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_warranty_status(obj: object) -> str:
        return str(obj.warranty_status())  # type: ignore[attr-defined]
