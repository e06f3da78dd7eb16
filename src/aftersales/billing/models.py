"""Bills and their charge lines (C6). Amounts are Decimal with a currency, rounded by `core.money.money`.

A bill belongs to a customer and, for service jobs, to a work order; returns and recalls bill without one
(`reference` names the source). Its total is the sum of its rounded lines. Payment status is changed only by the
finance role, through `billing.services`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel, VersionedModel

from .choices import ChargeKind, PaymentStatus

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class Bill(VersionedModel):
    number = models.CharField(_("number"), max_length=24, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="bills",
                                 verbose_name=_("customer"))
    work_order = models.ForeignKey("fieldservice.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="bills", verbose_name=_("work order"))
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    total = models.DecimalField(_("total"), default=Decimal("0"), **AMOUNT)
    payment_status = models.CharField(_("payment"), max_length=8, choices=PaymentStatus.choices,
                                      default=PaymentStatus.UNPAID)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        indexes = [
            models.Index(fields=["payment_status", "-created_at"], name="bill_status_idx"),
            models.Index(fields=["customer", "-created_at"], name="bill_customer_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class ChargeLine(TimeStampedModel):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines", verbose_name=_("bill"))
    kind = models.CharField(_("kind"), max_length=14, choices=ChargeKind.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), **AMOUNT)
    unit_price = models.DecimalField(_("unit price"), **AMOUNT)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    part = models.ForeignKey("inventory.Part", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("part"))
    covered = models.BooleanField(_("covered"), default=False,
                                  help_text=_("Covered by warranty or contract: shown, not charged."))

    class Meta:
        ordering = ["id"]
        verbose_name = _("charge line")
        verbose_name_plural = _("charge lines")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
