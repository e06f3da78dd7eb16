"""Billing vocabulary (C6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChargeKind(models.TextChoices):
    LABOUR = "labour", _("Labour")
    PARTS = "parts", _("Parts")
    TRAVEL = "travel", _("Travel")
    REFUND = "refund", _("Refund")  # an approved return paid back (negative amount)
    COMPENSATION = "compensation", _("Compensation")  # given to a customer, e.g. in a recall (negative amount)
    OTHER = "other", _("Other")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
