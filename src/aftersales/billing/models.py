"""Bills and their charge lines, quotes, rates and the company's designated accounts (C6).

Amounts are Decimal with a currency, rounded by `core.money.money`. A bill belongs to a customer and, for service
jobs, to a work order; returns and recalls bill without one (`reference` names the source). Its total is the sum of
its rounded lines. Payment status is changed only by the finance role, through `billing.services`, and a payment
is always recorded against one of the company's designated accounts.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel, VersionedModel

from .choices import (
    AccountKind,
    ApprovalMethod,
    BillState,
    ChargeKind,
    PaymentMethod,
    PaymentStatus,
    QuoteState,
    RegionClass,
)

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class Bill(VersionedModel):
    """What a customer owes (or is paid back) for one job or one return: its lines, total and payment status."""

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
    # A work order's bill starts as a draft (its lines editable) and is issued; bills made by bill_create are issued.
    state = models.CharField(_("state"), max_length=10, choices=BillState.choices, default=BillState.ISSUED)
    service_class = models.CharField(_("service class"), max_length=1, blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    waived_at = models.DateTimeField(_("waived"), null=True, blank=True)
    waive_reason = models.CharField(_("reason for waiving"), max_length=300, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("payment status set by"))

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

    @property
    def is_draft(self) -> bool:
        return self.state == BillState.DRAFT

    @property
    def charged_total(self) -> Decimal:
        return self.total


class ChargeLine(TimeStampedModel):
    """One line of a bill: labour, parts, travel (or a refund); a covered line is shown at amount 0."""

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
    price_pending = models.BooleanField(_("price to be entered"), default=False,
                                        help_text=_("A part not in the catalogue: enter its price before issuing."))

    class Meta:
        ordering = ["id"]
        verbose_name = _("charge line")
        verbose_name_plural = _("charge lines")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Quote(VersionedModel):
    """The estimate a paying customer (class A) approves before the engineer starts the work."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    work_order = models.ForeignKey("fieldservice.WorkOrder", on_delete=models.PROTECT, related_name="quotes",
                                   verbose_name=_("work order"))
    state = models.CharField(_("state"), max_length=10, choices=QuoteState.choices, default=QuoteState.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    total = models.DecimalField(_("estimated total"), default=Decimal("0"), **AMOUNT)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("prepared by"))
    approval_method = models.CharField(_("approved how"), max_length=10, choices=ApprovalMethod.choices, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approver_name = models.CharField(_("approved by (customer)"), max_length=60, blank=True)
    approver_phone = models.CharField(_("customer's phone"), max_length=32, blank=True)
    approval_note = models.CharField(_("approval note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("approval recorded by"))
    signature = models.FileField(_("signature"), upload_to="signatures/%Y/%m/", max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            # At most one quote awaiting approval per work order; a revision withdraws the earlier one.
            models.UniqueConstraint(fields=["work_order"], condition=Q(state="draft"), name="quote_one_open"),
        ]

    def __str__(self) -> str:
        return self.number


class QuoteLine(models.Model):
    """One estimated line of a quote."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines", verbose_name=_("quote"))
    kind = models.CharField(_("kind"), max_length=14, choices=ChargeKind.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), **AMOUNT)
    unit_price = models.DecimalField(_("unit price"), **AMOUNT)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    part = models.ForeignKey("inventory.Part", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("part"))
    covered = models.BooleanField(_("covered"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class LabourRate(VersionedModel):
    """The hourly labour rate charged for an engineer of one grade (1 junior … 5 senior)."""

    grade = models.PositiveSmallIntegerField(_("engineer grade"), unique=True,
                                             validators=[MinValueValidator(1), MaxValueValidator(5)])
    hourly_rate = models.DecimalField(_("rate per hour"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")

    class Meta:
        ordering = ["grade"]
        verbose_name = _("labour rate")
        verbose_name_plural = _("labour rates")
        constraints = [models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="labour_rate_not_negative")]

    def __str__(self) -> str:
        return f"{self.grade}: {self.hourly_rate} {self.currency}/h"


class TravelFee(VersionedModel):
    """The travel fee charged per visit for a site of one region class."""

    region_class = models.PositiveSmallIntegerField(_("region class"), choices=RegionClass.choices, unique=True)
    fee = models.DecimalField(_("fee per visit"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")

    class Meta:
        ordering = ["region_class"]
        verbose_name = _("travel fee")
        verbose_name_plural = _("travel fees")
        constraints = [models.CheckConstraint(condition=Q(fee__gte=0), name="travel_fee_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_region_class_display()}: {self.fee} {self.currency}"


class RegionTravelClass(VersionedModel):
    """An exception to the default rule: this city or province is billed in the given region class."""

    region = models.OneToOneField("core.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))
    region_class = models.PositiveSmallIntegerField(_("region class"), choices=RegionClass.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["region__code"]
        verbose_name = _("region travel class")
        verbose_name_plural = _("region travel classes")

    def __str__(self) -> str:
        return f"{self.region}: {self.region_class}"


class CompanyAccount(VersionedModel):
    """One of the company's designated accounts that customers pay into: a bank account, a QR code, a POS."""

    kind = models.CharField(_("kind"), max_length=6, choices=AccountKind.choices)
    name = models.CharField(_("name"), max_length=80)
    bank_name = models.CharField(_("bank"), max_length=80, blank=True)
    account_number = models.CharField(_("account or terminal number"), max_length=40)
    holder = models.CharField(_("account holder"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)
    show_on_receipt = models.BooleanField(_("print on receipts"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("designated account")
        verbose_name_plural = _("designated accounts")

    def __str__(self) -> str:
        return f"{self.name} ({self.account_number})"


class Payment(TimeStampedModel):
    """Money received for a bill into a designated account, recorded by finance with its reference."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments", verbose_name=_("bill"))
    account = models.ForeignKey(CompanyAccount, on_delete=models.PROTECT, related_name="payments",
                                verbose_name=_("paid into"))
    method = models.CharField(_("method"), max_length=14, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    reference = models.CharField(_("reference"), max_length=80,
                                 help_text=_("Bank transaction, QR order, POS voucher or deposit slip number."))
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.bill} {self.amount}"
