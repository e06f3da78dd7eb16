"""Import customers (with their sites and contacts) or equipment units from a CSV or XLSX file.

An import happens in two steps so that nothing is written by mistake:

1. `import_preview` reads the file (type decided by its content, not its name), maps English or Chinese
   column headers, checks every row against the database *without writing any of it*, and stores an
   `ImportBatch` holding the normalised valid rows and, for every bad row, its row number, column and reason.
2. `import_confirm` writes all valid rows in one transaction (bulk inserts, with one audit entry per created
   record, hash-chained exactly like `core.audit.record_create`), or nothing at all; `import_discard` drops it.

Reasons are stored as a code with parameters and rendered by `reason_text` in the reader's language, so a
preview made in Chinese reads correctly in English and the other way round.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from aftersales.core import audit
from aftersales.core.api_errors import field_error
from aftersales.core.errors import Conflict, InvalidTransition, ValidationFailed
from aftersales.core.models import AuditEntry, Region
from aftersales.core.permissions import IMPORT_CUSTOMERS, has_perm, require

from .choices import CustomerKind, ImportKind, ImportState
from .models import Contact, Customer, Equipment, ImportBatch, ProductModel, Site
from .selectors import customers_for
from .services import default_warranty, phone_digits, pinyin_keys

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # an XLSX that inflates beyond this is a zip bomb, not a customer list
PREVIEW_ROWS = 20
_CHUNK = 900  # stay well under SQLite's bound-parameter limit in `__in` lookups
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
SAMPLE_FILES = {
    f"{kind}-{lang}.{fmt}" for kind in ImportKind.values for lang in ("en", "zh") for fmt in ("csv", "xlsx")
}


# ---------------------------------------------------------------------------------------------------------------
# Errors of the whole file (a bad row is not an error: it is reported in the preview)


class ImportFileRejected(ValidationFailed):
    code = "import_file_rejected"
    default_message = _("This file cannot be imported: upload a CSV (UTF-8 or GB18030) or an XLSX file.")


class ImportFileTooLarge(ValidationFailed):
    status = 413
    code = "import_file_too_large"
    default_message = _("The file is larger than 20 MB. Split it into smaller files.")


class ImportNotPending(InvalidTransition):
    code = "import_not_pending"
    default_message = _("This import was already confirmed or discarded.")


class ImportOutdated(Conflict):
    code = "import_outdated"
    default_message = _("The data changed since the preview; nothing was imported. Upload the file again.")


# ---------------------------------------------------------------------------------------------------------------
# Reasons for bad rows. Stored as codes with parameters; translated when shown, in the reader's language.

REASONS: dict[str, str] = {
    "required": gettext_noop("%(column)s is required."),
    "too_long": gettext_noop("%(column)s is too long (at most %(max)s characters)."),
    "unknown_city": gettext_noop("Unknown city “%(value)s”."),
    "ambiguous_city": gettext_noop("More than one city is called “%(value)s”; add the province column."),
    "unknown_model": gettext_noop("Unknown product model “%(value)s”."),
    "bad_date": gettext_noop("“%(value)s” is not a date; write it as YYYY-MM-DD."),
    "warranty_order": gettext_noop("The warranty ends (%(end)s) before it starts (%(start)s)."),
    "duplicate_serial_file": gettext_noop("Serial number %(value)s appears more than once for this model in the file "
                               "(first on row %(first)s)."),
    "duplicate_serial_db": gettext_noop("Serial number %(value)s is already registered for this model."),
    "unknown_customer": gettext_noop("Unknown customer “%(value)s”."),
    "ambiguous_customer": gettext_noop("More than one customer is called “%(value)s”; give the customer code instead."),
    "unknown_site": gettext_noop("The customer has no site called “%(value)s”."),
    "customer_required": gettext_noop("Give the customer name or the customer code."),
    "code_name_mismatch": gettext_noop("Customer code %(value)s is used for another name on row %(first)s."),
    "bad_kind": gettext_noop("Unknown customer kind “%(value)s”; use company or person."),
    "bad_email": gettext_noop("“%(value)s” is not an e-mail address."),
    "site_incomplete": gettext_noop("A site needs a name, an address and a city."),
    "contact_incomplete": gettext_noop("A contact needs a name and a phone number."),
    "outdated": gettext_noop("This row no longer matches the data (changed since the preview)."),
}


def reason_text(error: dict[str, Any]) -> str:
    """The reason for a bad row in the active language."""
    template = REASONS.get(error.get("code", ""))
    if template is None:
        return str(error.get("reason", ""))
    params = dict(error.get("params") or {})
    if "column" in params:
        params["column"] = _column_label(params["column"])
    try:
        return gettext(template) % params
    except (KeyError, TypeError, ValueError):
        return gettext(template)


def error_rows(batch: ImportBatch) -> list[dict[str, Any]]:
    """The batch's bad rows with their reasons rendered in the active language."""
    return [{**e, "reason": reason_text(e)} for e in batch.errors]


# ---------------------------------------------------------------------------------------------------------------
# Columns: one key per field, accepted headers in English and Chinese.


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    header_en: str
    header_zh: str
    aliases: tuple[str, ...] = ()
    max_length: int | None = None

    def names(self) -> set[str]:
        return {_norm(h) for h in (self.header_en, self.header_zh, self.key, *self.aliases)}


# Chinese header names are part of the file format customers use, not user interface text.
CUSTOMER_COLUMNS = (
    Column("customer_name", _("Customer name"), "Customer name", "客户名称",
           ("customer", "客户", "客户名", "单位名称", "公司名称"), 120),
    Column("customer_code", _("Customer code"), "Customer code", "客户编码",
           ("code", "客户编号", "客户代码"), 30),
    Column("customer_kind", _("Customer kind"), "Kind", "客户类型", ("customer kind", "customer type", "类型")),
    Column("customer_phone", _("Customer phone"), "Customer phone", "客户电话", ("公司电话", "总机"), 32),
    Column("customer_email", _("Customer e-mail"), "Customer email", "客户邮箱", ("email", "e-mail", "邮箱"), 254),
    Column("notes", _("Notes"), "Notes", "备注", ("note", "remarks"), 2000),
    Column("site_name", _("Site"), "Site", "站点", ("site name", "站点名称", "项目", "项目名称"), 120),
    Column("address", _("Address"), "Address", "地址", ("site address", "站点地址", "详细地址"), 240),
    Column("city", _("City"), "City", "城市", ("市", "所在城市"), 64),
    Column("province", _("Province"), "Province", "省份", ("省", "所在省份"), 64),
    Column("contact_name", _("Contact"), "Contact", "联系人", ("contact name", "联系人姓名"), 60),
    Column("contact_phone", _("Phone"), "Phone", "电话",
           ("contact phone", "mobile", "telephone", "联系电话", "手机", "联系人电话", "手机号"), 32),
    Column("contact_title", _("Position"), "Position", "职务", ("title", "contact title", "职位"), 60),
    Column("contact_email", _("Contact e-mail"), "Contact email", "联系人邮箱", ("contact e-mail",), 254),
)

EQUIPMENT_COLUMNS = (
    Column("customer_name", _("Customer name"), "Customer name", "客户名称",
           ("customer", "客户", "客户名", "单位名称"), 120),
    Column("customer_code", _("Customer code"), "Customer code", "客户编码", ("客户编号", "客户代码"), 30),
    Column("site_name", _("Site"), "Site", "站点", ("site name", "站点名称", "项目", "项目名称"), 120),
    Column("model_code", _("Model"), "Model", "型号", ("model code", "product model", "产品型号", "型号代码"), 40),
    Column("serial", _("Serial number"), "Serial number", "序列号",
           ("serial", "sn", "s/n", "serial no", "出厂编号", "机号", "编号"), 60),
    Column("location", _("Location at site"), "Location", "安装位置", ("location at site", "位置"), 120),
    Column("install_date", _("Install date"), "Install date", "安装日期", ("installed", "installation date")),
    Column("commissioning_date", _("Commissioning date"), "Commissioning date", "调试日期",
           ("commissioned", "调试完成日期", "投运日期")),
    Column("warranty_start", _("Warranty start"), "Warranty start", "保修开始",
           ("warranty from", "保修开始日期", "质保开始")),
    Column("warranty_end", _("Warranty end"), "Warranty end", "保修结束",
           ("warranty until", "warranty to", "保修结束日期", "质保结束", "保修截止")),
)

COLUMNS = {ImportKind.CUSTOMERS: CUSTOMER_COLUMNS, ImportKind.EQUIPMENT: EQUIPMENT_COLUMNS}
_LABELS = {c.key: c.label for cols in COLUMNS.values() for c in cols}


def _column_label(key: str) -> str:
    label = _LABELS.get(key)
    return str(label) if label is not None else key


_PARENS = re.compile(r"[(（\[【].*?[)）\]】]")
_NOISE = re.compile(r"[\s_\-*:：.#]+")


def _norm(header: Any) -> str:
    """'Serial number *', '序列号（必填）', 'serial_number' → one comparable form."""
    text = _PARENS.sub("", str(header or ""))
    return _NOISE.sub("", text).lower()


def map_headers(header: list[Any], columns: Iterable[Column]) -> tuple[dict[str, int], dict[str, str]]:
    """Column key → index in the row, and column key → the header as written in the file."""
    lookup: dict[str, Column] = {}
    for column in columns:
        for name in column.names():
            lookup.setdefault(name, column)
    index: dict[str, int] = {}
    written: dict[str, str] = {}
    for i, raw in enumerate(header):
        column = lookup.get(_norm(raw))
        if column is not None and column.key not in index:
            index[column.key] = i
            written[column.key] = str(raw).strip()
    return index, written


# ---------------------------------------------------------------------------------------------------------------
# Reading the file


def _read_bytes(upload: Any) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportFileTooLarge()
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileTooLarge()
    if not data.strip():
        raise ImportFileRejected(_("The file is empty."), code="import_file_empty")
    return data


def _xlsx_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileRejected()
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise ImportFileRejected()
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileTooLarge()
    import openpyxl  # imported here: only imports need it, and it is slow to import

    try:
        # read_only streams the sheet; openpyxl parses with defusedxml when it is installed (it is a dependency).
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure to open means "not a workbook we can read"
        raise ImportFileRejected()
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    except Exception as exc:  # noqa: BLE001 - a corrupt sheet part
        if isinstance(exc, ValidationFailed):
            raise
        raise ImportFileRejected()
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise ImportFileRejected()
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileRejected()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data:
        raise ImportFileRejected()  # binary, or UTF-16 text we do not accept (and PostgreSQL refuses NUL in JSON)
    if filetype.guess(data) is not None:
        raise ImportFileRejected()  # an image, PDF, archive … whatever its name says
    text = _decode(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error:
        raise ImportFileRejected()


def read_table(data: bytes) -> Iterator[Any]:
    """Rows of the first sheet (XLSX) or of the CSV, header first; the type is decided from the bytes."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileRejected(_("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV."),
                                 code="import_file_xls")
    return _csv_rows(data)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or serial typed as a number in a spreadsheet
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def parse_date(value: Any) -> dt.date | None:
    """A date from a spreadsheet cell or text; None when blank; ValueError when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0] if re.match(r"^\d{4}[-/.]\d", text) else text
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


# ---------------------------------------------------------------------------------------------------------------
# Checking rows


class _RowErrors:
    def __init__(self, row: int, written: dict[str, str]) -> None:
        self.row = row
        self.written = written
        self.items: list[dict[str, Any]] = []

    def add(self, column: str, code: str, **params: Any) -> None:
        params = {k: (str(v) if isinstance(v, dt.date) else v) for k, v in params.items()}
        error = {"row": self.row, "column": self.written.get(column) or _column_label(column), "key": column,
                 "code": code, "params": {"column": column, **params}}
        error["reason"] = reason_text(error)
        self.items.append(error)


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _city_index() -> tuple[dict[str, list[Region]], dict[int, Region]]:
    """Every city by name, name without 市, English name and code (one query; there are a few hundred)."""
    by_name: dict[str, list[Region]] = {}
    cities = list(Region.objects.filter(kind=Region.Kind.CITY).select_related("parent"))
    for city in cities:
        keys = {city.name, city.name.removesuffix("市"), city.code, (city.name_en or "").lower()}
        for key in keys - {""}:
            by_name.setdefault(key.lower(), []).append(city)
    return by_name, {c.pk: c for c in cities}


def _province_matches(city: Region, province: str) -> bool:
    parent = city.parent
    if parent is None:
        return False
    wanted = province.lower()
    return wanted in {parent.name.lower(), parent.name.removesuffix("省").lower(), parent.code,
                      (parent.name_en or "").lower()}


def _customer_lookup(user: Any, codes: set[str], names: set[str]) -> tuple[dict[str, dict[str, Any]],
                                                                            dict[str, list[dict[str, Any]]]]:
    visible = customers_for(user)
    by_code: dict[str, dict[str, Any]] = {}
    by_name: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(codes):
        for row in visible.filter(code__in=chunk).values("pk", "name", "code"):
            by_code[row["code"]] = row
    for chunk in _chunks(names):
        for row in visible.filter(name__in=chunk).values("pk", "name", "code"):
            by_name.setdefault(row["name"], []).append(row)
    return by_code, by_name


class _Checker:
    columns: tuple[Column, ...] = ()

    def __init__(self, user: Any, written: dict[str, str]) -> None:
        self.user = user
        self.written = written

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        raise NotImplementedError

    def check(self, row: int, values: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        raise NotImplementedError

    def text(self, errors: _RowErrors, values: dict[str, Any], key: str, *, required: bool = False) -> str:
        value = _text(values.get(key))
        column = next(c for c in self.columns if c.key == key)
        if required and not value:
            errors.add(key, "required")
        elif column.max_length and len(value) > column.max_length:
            errors.add(key, "too_long", max=column.max_length)
        return value

    def email(self, errors: _RowErrors, values: dict[str, Any], key: str) -> str:
        value = self.text(errors, values, key)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                errors.add(key, "bad_email", value=value)
        return value


_KINDS = {
    "company": CustomerKind.COMPANY, "公司": CustomerKind.COMPANY, "企业": CustomerKind.COMPANY,
    "单位": CustomerKind.COMPANY, "organisation": CustomerKind.COMPANY, "organization": CustomerKind.COMPANY,
    "person": CustomerKind.PERSON, "个人": CustomerKind.PERSON, "individual": CustomerKind.PERSON,
}


class CustomerRows(_Checker):
    """Rows of customers, each optionally with a site and a contact; rows of one customer share its name or code."""

    columns = CUSTOMER_COLUMNS

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        self.cities, _ = _city_index()
        codes = {_text(v.get("customer_code")) for _, v in rows} - {""}
        names = {_text(v.get("customer_name")) for _, v in rows} - {""}
        self.by_code, self.by_name = _customer_lookup(self.user, codes, names)
        existing_ids = {r["pk"] for r in self.by_code.values()} | {
            r["pk"] for found in self.by_name.values() for r in found
        }
        self.sites: dict[tuple[int, str], int] = {}
        self.contacts: set[tuple[str, str, str]] = set()
        for chunk in _chunks(existing_ids):
            for site in Site.objects.filter(customer_id__in=chunk).values("pk", "customer_id", "name"):
                self.sites.setdefault((site["customer_id"], site["name"]), site["pk"])
            for contact in Contact.objects.filter(customer_id__in=chunk).values("customer_id", "name", "phone_digits"):
                self.contacts.add((f"id:{contact['customer_id']}", contact["name"], contact["phone_digits"]))
        self.code_first_row: dict[str, tuple[int, str]] = {}
        self.name_to_code: dict[str, str] = {}
        self.new_sites: set[tuple[str, str]] = set()

    def _customer(self, errors: _RowErrors, name: str, code: str) -> tuple[str, int | None]:
        if code:
            first = self.code_first_row.setdefault(code, (errors.row, name))
            if first[1] != name:
                errors.add("customer_code", "code_name_mismatch", value=code, first=first[0])
            self.name_to_code.setdefault(name, code)
            found = self.by_code.get(code)
            return (f"id:{found['pk']}", found["pk"]) if found else (f"code:{code}", None)
        if name in self.name_to_code:
            code = self.name_to_code[name]
            found = self.by_code.get(code)
            return (f"id:{found['pk']}", found["pk"]) if found else (f"code:{code}", None)
        matches = self.by_name.get(name, [])
        if len(matches) > 1:
            errors.add("customer_name", "ambiguous_customer", value=name)
        if len(matches) == 1:
            return f"id:{matches[0]['pk']}", matches[0]["pk"]
        return f"name:{name}", None

    def check(self, row: int, values: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        errors = _RowErrors(row, self.written)
        name = self.text(errors, values, "customer_name", required=True)
        code = self.text(errors, values, "customer_code")
        raw_kind = self.text(errors, values, "customer_kind")
        kind = _KINDS.get(raw_kind.lower(), None) if raw_kind else CustomerKind.COMPANY
        if kind is None:
            errors.add("customer_kind", "bad_kind", value=raw_kind)
        phone = self.text(errors, values, "customer_phone")
        email = self.email(errors, values, "customer_email")
        notes = self.text(errors, values, "notes")
        key, customer_id = self._customer(errors, name, code) if name else ("", None)

        site_name = self.text(errors, values, "site_name")
        address = self.text(errors, values, "address")
        city_text = self.text(errors, values, "city")
        province_text = self.text(errors, values, "province")
        site: dict[str, Any] | None = None
        if site_name or address or city_text:
            existing_site = self.sites.get((customer_id, site_name)) if customer_id and site_name else None
            if existing_site:
                site = {"id": existing_site, "name": site_name}
            elif not (site_name and address and city_text):
                missing = [k for k, v in (("site_name", site_name), ("address", address), ("city", city_text)) if not v]
                errors.add(missing[0], "site_incomplete")
            else:
                candidates = self.cities.get(city_text.lower(), [])
                if province_text:
                    candidates = [c for c in candidates if _province_matches(c, province_text)]
                if not candidates:
                    errors.add("city", "unknown_city", value=city_text)
                elif len({c.pk for c in candidates}) > 1:
                    errors.add("city", "ambiguous_city", value=city_text)
                else:
                    city = candidates[0]
                    label = f"{city.parent.name} · {city.name}" if city.parent else city.name
                    site = {"id": None, "name": site_name, "address": address, "city_id": city.pk,
                            "province_id": city.province.pk, "city_label": label}

        contact_name = self.text(errors, values, "contact_name")
        contact_phone = self.text(errors, values, "contact_phone")
        contact_title = self.text(errors, values, "contact_title")
        contact_email = self.email(errors, values, "contact_email")
        contact: dict[str, Any] | None = None
        if contact_name or contact_phone:
            if not (contact_name and contact_phone):
                errors.add("contact_phone" if contact_name else "contact_name", "contact_incomplete")
            else:
                contact = {"name": contact_name, "phone": contact_phone, "title": contact_title,
                           "email": contact_email}

        if errors.items:
            return None, errors.items
        if site is not None and site["id"] is None:
            self.new_sites.add((key, site_name))
        if contact is not None:
            contact_key = (key, contact_name, phone_digits(contact_phone))
            if contact_key in self.contacts:
                contact = None  # already known: importing the same list twice adds nobody twice
            else:
                self.contacts.add(contact_key)
        return {
            "row": row, "customer_key": key, "customer_id": customer_id, "name": name, "code": code,
            "kind": kind, "phone": phone, "email": email, "notes": notes, "site": site, "contact": contact,
        }, []


class EquipmentRows(_Checker):
    """Rows of equipment units placed at existing customers' sites."""

    columns = EQUIPMENT_COLUMNS
    date_keys = ("install_date", "commissioning_date", "warranty_start", "warranty_end")

    def prefetch(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        codes = {_text(v.get("customer_code")) for _, v in rows} - {""}
        names = {_text(v.get("customer_name")) for _, v in rows if not _text(v.get("customer_code"))} - {""}
        self.by_code, self.by_name = _customer_lookup(self.user, codes, names)
        customer_ids = {r["pk"] for r in self.by_code.values()} | {
            r["pk"] for found in self.by_name.values() for r in found
        }
        self.sites: dict[tuple[int, str], int] = {}
        for chunk in _chunks(customer_ids):
            for site in Site.objects.filter(customer_id__in=chunk).values("pk", "customer_id", "name"):
                self.sites.setdefault((site["customer_id"], site["name"]), site["pk"])
        model_codes = {_text(v.get("model_code")) for _, v in rows} - {""}
        self.models: dict[str, ProductModel] = {}
        for chunk in _chunks(model_codes):
            for model in ProductModel.objects.filter(code__in=chunk):
                self.models[model.code] = model
        self.models_ci = {code.lower(): model for code, model in self.models.items()}
        serials = {_text(v.get("serial")) for _, v in rows} - {""}
        self.taken: set[tuple[int, str]] = set()
        for chunk in _chunks(serials):
            self.taken.update(Equipment.objects.filter(serial__in=chunk).values_list("product_model_id", "serial"))
        self.seen: dict[tuple[int, str], int] = {}

    def check(self, row: int, values: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        errors = _RowErrors(row, self.written)
        name = self.text(errors, values, "customer_name")
        code = self.text(errors, values, "customer_code")
        site_name = self.text(errors, values, "site_name", required=True)
        model_code = self.text(errors, values, "model_code", required=True)
        serial = self.text(errors, values, "serial", required=True)
        location = self.text(errors, values, "location")

        customer: dict[str, Any] | None = None
        if code:
            customer = self.by_code.get(code)
            if customer is None:
                errors.add("customer_code", "unknown_customer", value=code)
        elif name:
            found = self.by_name.get(name, [])
            if len(found) > 1:
                errors.add("customer_name", "ambiguous_customer", value=name)
            elif not found:
                errors.add("customer_name", "unknown_customer", value=name)
            else:
                customer = found[0]
        else:
            errors.add("customer_name", "customer_required")
        site_id = None
        if customer is not None and site_name:
            site_id = self.sites.get((customer["pk"], site_name))
            if site_id is None:
                errors.add("site_name", "unknown_site", value=site_name)

        model = self.models.get(model_code) or self.models_ci.get(model_code.lower()) if model_code else None
        if model_code and model is None:
            errors.add("model_code", "unknown_model", value=model_code)
        if model is not None and serial:
            pair = (model.pk, serial)
            if pair in self.taken:
                errors.add("serial", "duplicate_serial_db", value=serial)
            elif pair in self.seen:
                errors.add("serial", "duplicate_serial_file", value=serial, first=self.seen[pair])
            else:
                self.seen[pair] = row

        dates: dict[str, dt.date | None] = {}
        for key in self.date_keys:
            try:
                dates[key] = parse_date(values.get(key))
            except ValueError:
                errors.add(key, "bad_date", value=_text(values.get(key)))
                dates[key] = None
        start, end = dates["warranty_start"], dates["warranty_end"]
        if start and end and end < start:
            errors.add("warranty_end", "warranty_order", start=start, end=end)
        if errors.items or model is None or customer is None:
            return None, errors.items
        if start is None and end is None:
            start, end = default_warranty(model, dates["commissioning_date"] or dates["install_date"])
        elif start is not None and end is None:
            end = default_warranty(model, start)[1]

        def iso(value: dt.date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "row": row, "customer_id": customer["pk"], "customer": customer["name"], "site_id": site_id,
            "site": site_name, "product_model_id": model.pk, "model": model.code, "serial": serial,
            "location": location, "install_date": iso(dates["install_date"]),
            "commissioning_date": iso(dates["commissioning_date"]), "warranty_start": iso(start),
            "warranty_end": iso(end),
        }, []


CHECKERS: dict[str, type[_Checker]] = {ImportKind.CUSTOMERS: CustomerRows, ImportKind.EQUIPMENT: EquipmentRows}


def _missing_columns(kind: str, index: dict[str, int]) -> list[str]:
    if kind == ImportKind.CUSTOMERS:
        required: list[Any] = ["customer_name"]
    else:
        required = [("customer_name", "customer_code"), "site_name", "model_code", "serial"]
    missing = []
    for need in required:
        options = need if isinstance(need, tuple) else (need,)
        if not any(option in index for option in options):
            missing.append(" / ".join(_column_label(o) for o in options))
    return missing


def check_file(*, user: Any, kind: str, data: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Read and check every row; nothing is written. Returns (valid rows, errors, number of data rows)."""
    rows_iter = iter(read_table(data))
    header: list[Any] | None = None
    header_row = 0
    for number, raw in enumerate(rows_iter, start=1):
        if any(_text(c) for c in raw):
            header, header_row = list(raw), number
            break
    if header is None:
        raise ImportFileRejected(_("The file is empty."), code="import_file_empty")
    index, written = map_headers(header, COLUMNS[kind])
    missing = _missing_columns(kind, index)
    if missing:
        raise ImportFileRejected(
            _("Columns missing: %(columns)s. Download a sample file to see the expected headers.")
            % {"columns": ", ".join(missing)},
            code="import_columns_missing",
            errors=[field_error(["file", m], _("This column is missing."), "column_missing", column=m) for m in missing],
        )
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(rows_iter, start=header_row + 1):
        cells = list(raw)
        if not any(_text(c) for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileRejected(_("The file has more than %(max)s rows. Split it into smaller files.")
                                     % {"max": f"{MAX_ROWS:,}"}, code="import_too_many_rows")
        rows.append((number, {key: cells[i] if i < len(cells) else None for key, i in index.items()}))
    if not rows:
        raise ImportFileRejected(_("The file has column headers but no rows."), code="import_file_empty")
    checker = CHECKERS[kind](user, written)
    checker.prefetch(rows)
    valid: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for number, values in rows:
        good, bad = checker.check(number, values)
        if good is not None:
            valid.append(good)
        errors.extend(bad)
    return valid, errors, len(rows)


# ---------------------------------------------------------------------------------------------------------------
# Reads


def import_batches_for(user: Any) -> QuerySet[ImportBatch]:
    """Imports the user may see: his own; a manager's or administrator's view covers everyone's."""
    qs = ImportBatch.objects.select_related("created_by")
    if not has_perm(user, IMPORT_CUSTOMERS):
        return qs.none()
    if user.role in {"manager", "admin"}:
        return qs
    return qs.filter(created_by=user)


def batch_summary(batch: ImportBatch) -> dict[str, int]:
    """What confirming will create, for the preview page and the API."""
    rows = batch.valid_rows
    summary = {"rows": batch.total_rows, "valid": len(rows), "errors": len({e["row"] for e in batch.errors})}
    if batch.kind == ImportKind.CUSTOMERS:
        summary["new_customers"] = len({r["customer_key"] for r in rows if r["customer_id"] is None})
        summary["existing_customers"] = len({r["customer_key"] for r in rows if r["customer_id"] is not None})
        summary["new_sites"] = len({(r["customer_key"], r["site"]["name"]) for r in rows
                                    if r["site"] and r["site"]["id"] is None})
        summary["new_contacts"] = sum(1 for r in rows if r["contact"])
    else:
        summary["new_equipment"] = len(rows)
    return summary


# ---------------------------------------------------------------------------------------------------------------
# Writes


def import_preview(*, actor: Any, kind: str, upload: Any, file_name: str = "") -> ImportBatch:
    """Check an uploaded file and keep the result for the user to confirm; no customer data is written."""
    require(actor, IMPORT_CUSTOMERS)
    if kind not in ImportKind.values:
        raise ValidationFailed(_("Choose what the file contains: customers or equipment."), code="import_kind_invalid")
    data = _read_bytes(upload)
    valid, errors, total = check_file(user=actor, kind=kind, data=data)
    name = (file_name or getattr(upload, "name", "") or "upload")[:200]
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, created_by=actor, file_name=name, valid_rows=valid,
                                           errors=errors, total_rows=total)
        audit.record(actor=actor, instance=batch, action=AuditEntry.Action.CREATE, verb="import_checked",
                     changes={"kind": [None, kind], "file_name": [None, name], "total_rows": [None, total],
                              "valid_rows": [None, len(valid)], "bad_rows": [None, len({e["row"] for e in errors})]})
    return batch


def _claim(batch: ImportBatch, to_state: str) -> None:
    """Move the batch out of preview exactly once, even when two people press the button together."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, state=ImportState.PREVIEW).update(
        state=to_state, updated_at=timezone.now())
    if claimed != 1:
        raise ImportNotPending()


def import_confirm(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Write every valid row of a previewed import in one transaction, with audit entries; or nothing."""
    require(actor, IMPORT_CUSTOMERS)
    try:
        with transaction.atomic():
            _claim(batch, ImportState.APPLIED)
            apply = _apply_customers if batch.kind == ImportKind.CUSTOMERS else _apply_equipment
            counts = apply(actor, batch.valid_rows)
            ImportBatch.objects.filter(pk=batch.pk).update(applied_rows=len(batch.valid_rows))
            audit.record_transition(actor=actor, instance=batch, from_state=ImportState.PREVIEW,
                                    to_state=ImportState.APPLIED, verb="import_confirm",
                                    extra={k: [0, v] for k, v in counts.items()})
    except IntegrityError:
        # A concurrent writer took a serial or code between our check and the insert.
        raise ImportOutdated()
    batch.refresh_from_db()
    return batch


def import_discard(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Drop a previewed import without writing any of its rows."""
    require(actor, IMPORT_CUSTOMERS)
    with transaction.atomic():
        _claim(batch, ImportState.DISCARDED)
        audit.record_transition(actor=actor, instance=batch, from_state=ImportState.PREVIEW,
                                to_state=ImportState.DISCARDED, verb="import_discard")
    batch.refresh_from_db()
    return batch


def _outdated(rows: list[int]) -> ImportOutdated:
    return ImportOutdated(errors=[field_error(["row", str(r)], reason_text({"code": "outdated"}), "outdated", row=r,
                                              code="outdated", reason=reason_text({"code": "outdated"}))
                                  for r in rows[:100]])


def _apply_equipment(actor: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    models_by_id = {m.pk: m for m in ProductModel.objects.filter(pk__in={r["product_model_id"] for r in rows})}
    site_owner: dict[int, int] = {}
    for chunk in _chunks({r["site_id"] for r in rows}):
        site_owner.update(Site.objects.filter(pk__in=chunk).values_list("pk", "customer_id"))
    taken: set[tuple[int, str]] = set()
    for chunk in _chunks({r["serial"] for r in rows}):
        taken.update(Equipment.objects.filter(serial__in=chunk).values_list("product_model_id", "serial"))
    stale = [r["row"] for r in rows if r["product_model_id"] not in models_by_id
             or site_owner.get(r["site_id"]) != r["customer_id"]
             or (r["product_model_id"], r["serial"]) in taken]
    if stale:
        raise _outdated(stale)

    def date(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    units = [
        Equipment(product_model=models_by_id[r["product_model_id"]], serial=r["serial"],
                  customer_id=r["customer_id"], site_id=r["site_id"], location=r["location"],
                  install_date=date(r["install_date"]), commissioning_date=date(r["commissioning_date"]),
                  warranty_start=date(r["warranty_start"]), warranty_end=date(r["warranty_end"]))
        for r in rows
    ]
    Equipment.objects.bulk_create(units, batch_size=500)
    audit.record_create_bulk(actor=actor, items=[(u, Customer(pk=u.customer_id)) for u in units])
    return {"equipment": len(units)}


def _apply_customers(actor: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    existing_ids = {r["customer_id"] for r in rows if r["customer_id"]}
    site_ids = {r["site"]["id"] for r in rows if r["site"] and r["site"]["id"]}
    found_customers: set[int] = set()
    for chunk in _chunks(existing_ids):
        found_customers.update(Customer.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    found_sites: set[int] = set()
    for chunk in _chunks(site_ids):
        found_sites.update(Site.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    new_codes = {r["code"] for r in rows if r["customer_id"] is None and r["code"]}
    codes_taken: set[str] = set()
    for chunk in _chunks(new_codes):
        codes_taken.update(Customer.objects.filter(code__in=chunk).values_list("code", flat=True))
    stale = [r["row"] for r in rows
             if (r["customer_id"] and r["customer_id"] not in found_customers)
             or (r["site"] and r["site"]["id"] and r["site"]["id"] not in found_sites)
             or (r["customer_id"] is None and r["code"] in codes_taken)]
    if stale:
        raise _outdated(stale)

    customers: dict[str, Customer] = {}
    new_customers: list[Customer] = []
    for r in rows:
        key = r["customer_key"]
        if key in customers:
            continue
        if r["customer_id"]:
            customers[key] = Customer(pk=r["customer_id"], name=r["name"])
            continue
        initials, full = pinyin_keys(r["name"])
        customer = Customer(kind=r["kind"], name=r["name"], code=r["code"] or None, phone=r["phone"],
                            email=r["email"], notes=r["notes"], search_initials=initials, search_pinyin=full,
                            phone_digits=phone_digits(r["phone"]))
        customers[key] = customer
        new_customers.append(customer)
    Customer.objects.bulk_create(new_customers, batch_size=500)

    sites: dict[tuple[str, str], Site] = {}
    new_sites: list[Site] = []
    for r in rows:
        site = r["site"]
        if not site or (r["customer_key"], site["name"]) in sites:
            continue
        if site["id"]:
            sites[(r["customer_key"], site["name"])] = Site(pk=site["id"])
            continue
        obj = Site(customer=customers[r["customer_key"]], name=site["name"], address=site["address"],
                   city_id=site["city_id"], province_id=site["province_id"])
        sites[(r["customer_key"], site["name"])] = obj
        new_sites.append(obj)
    Site.objects.bulk_create(new_sites, batch_size=500)

    new_contacts: list[Contact] = []
    for r in rows:
        contact = r["contact"]
        if not contact:
            continue
        site_obj = sites.get((r["customer_key"], r["site"]["name"])) if r["site"] else None
        new_contacts.append(Contact(customer=customers[r["customer_key"]], site_id=site_obj.pk if site_obj else None,
                                    name=contact["name"], phone=contact["phone"],
                                    phone_digits=phone_digits(contact["phone"]), title=contact["title"],
                                    email=contact["email"]))
    Contact.objects.bulk_create(new_contacts, batch_size=500)

    items: list[tuple[models.Model, models.Model | None]] = [(c, None) for c in new_customers]
    items += [(s, s.customer) for s in new_sites]
    items += [(c, c.customer) for c in new_contacts]
    audit.record_create_bulk(actor=actor, items=items)
    return {"customers": len(new_customers), "sites": len(new_sites), "contacts": len(new_contacts)}


def sample_path(name: str) -> Path | None:
    """A downloadable sample file by its published name, or None (only the listed names are served)."""
    if name not in SAMPLE_FILES:
        return None
    path = SAMPLE_DIR / name
    return path if path.is_file() else None
