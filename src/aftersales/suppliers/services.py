"""Writes to suppliers: parts suppliers (C8) and the vendors that repair returned items (C7)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.core import services as core
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import EDIT_PARTS, require

from .models import Supplier

FIELDS = ("code", "name", "contact_name", "phone", "email", "address", "repairs_items", "is_active")


class SupplierCodeTaken(ValidationFailed):
    code = "code_taken"
    default_message = _("Another supplier already has this code.")


def _check_code(code: str, supplier: Supplier | None = None) -> None:
    clash = Supplier.objects.filter(code__iexact=code.strip())
    if supplier is not None:
        clash = clash.exclude(pk=supplier.pk)
    if clash.exists():
        raise SupplierCodeTaken()


@transaction.atomic
def supplier_create(*, actor: Any, code: str, name: str, **values: Any) -> Supplier:
    require(actor, EDIT_PARTS)
    _check_code(code)
    values = {k: v for k, v in values.items() if k in FIELDS}
    return core.create(Supplier, actor=actor, code=code.strip(), name=name.strip(), **values)


@transaction.atomic
def supplier_update(*, actor: Any, supplier: Supplier, values: dict[str, Any],
                    expected_version: int | None = None) -> Supplier:
    require(actor, EDIT_PARTS)
    values = {k: v for k, v in values.items() if k in FIELDS}
    if "code" in values:
        _check_code(values["code"], supplier)
    return core.save_changes(supplier, actor=actor, values=values, expected_version=expected_version)
