"""Maintenance contracts (post-warranty 维保合同): what they cover, for how long, and what they promise (C6)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import VersionedModel

from .choices import ContractState


class Contract(VersionedModel):
    number = models.CharField(_("contract number"), max_length=24, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="contracts",
                                 verbose_name=_("customer"))
    title = models.CharField(_("title"), max_length=160)
    state = models.CharField(_("state"), max_length=12, choices=ContractState.choices, default=ContractState.DRAFT)
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    equipment = models.ManyToManyField("customers.Equipment", blank=True, related_name="contracts",
                                       verbose_name=_("covered equipment"))
    included_visits_per_year = models.PositiveSmallIntegerField(_("included visits per year"), default=0)
    covers_labour = models.BooleanField(_("covers labour"), default=True)
    covers_parts = models.BooleanField(_("covers parts"), default=False)
    covers_travel = models.BooleanField(_("covers travel"), default=True)
    response_hours = models.PositiveSmallIntegerField(
        _("on-site within (working hours)"), null=True, blank=True,
        help_text=_("The response commitment; it feeds the SLA policy of requests on covered equipment."))
    resolution_hours = models.PositiveSmallIntegerField(_("resolved within (working hours)"), null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    notes = models.TextField(_("notes"), blank=True)
    termination_reason = models.CharField(_("reason for termination"), max_length=300, blank=True)
    # The contract this one renews (the next period, created as a draft by `contract_renew`); one renewal each.
    renewed_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="renewal", verbose_name=_("renews"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-start_date", "number"]
        verbose_name = _("maintenance contract")
        verbose_name_plural = _("maintenance contracts")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="contract_end_after_start"),
            models.CheckConstraint(condition=Q(price__gte=0), name="contract_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["customer", "state"], name="contract_customer_idx"),
            models.Index(fields=["state", "end_date"], name="contract_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
