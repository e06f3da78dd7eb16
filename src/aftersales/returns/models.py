"""Returns and exchanges with their approval chain (退换货), and recall campaigns (召回) with their units."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel, VersionedModel

from .choices import CampaignState, CompensationKind, Decision, ReturnKind, ReturnState, Step

PRICE = {"max_digits": 14, "decimal_places": 2}


class ReturnRequest(VersionedModel):
    """A customer's request to return an item (refund) or exchange it, decided step by step along the chain
    agent → dispatcher → on-site assessment → materials → manager."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ReturnKind.choices)
    state = models.CharField(_("state"), max_length=12, choices=ReturnState.choices,
                             default=ReturnState.IN_APPROVAL)
    current_step = models.CharField(_("waiting for"), max_length=12, choices=Step.choices, blank=True,
                                    default=Step.AGENT)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="return_requests",
                                 verbose_name=_("customer"))
    equipment = models.ForeignKey("customers.Equipment", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="return_requests", verbose_name=_("equipment"))
    part = models.ForeignKey("inventory.Part", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("part"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    source_request = models.ForeignKey("servicedesk.ServiceRequest", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="return_requests",
                                       verbose_name=_("service request"))
    source_work_order = models.ForeignKey("fieldservice.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="return_requests", verbose_name=_("work order"))
    reason = models.TextField(_("reason"))
    refund_amount = models.DecimalField(_("refund"), null=True, blank=True, **PRICE)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("assessing engineer"))
    return_location = models.ForeignKey("inventory.StockLocation", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("returned part goes to"))
    replacement_part = models.ForeignKey("inventory.Part", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("replacement part"))
    replacement_location = models.ForeignKey("inventory.StockLocation", null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="+",
                                             verbose_name=_("replacement comes from"))
    province = models.ForeignKey("core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("province"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("requested by"))
    completed_at = models.DateTimeField(_("decided"), null=True, blank=True)
    bill = models.ForeignKey("billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("refund bill"))
    return_move = models.ForeignKey("inventory.StockMove", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    issue_move = models.ForeignKey("inventory.StockMove", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        indexes = [models.Index(fields=["state", "current_step", "-created_at"], name="return_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="return_quantity_positive"),
            models.CheckConstraint(condition=models.Q(refund_amount__isnull=True) | models.Q(refund_amount__gte=0),
                                   name="return_refund_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class ReturnApproval(models.Model):
    """One step's decision: who, when, approve or reject, and why."""

    request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="approvals")
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [models.UniqueConstraint(fields=["request", "step"], name="return_one_decision_per_step")]

    def __str__(self) -> str:
        return f"{self.request.number} {self.step} {self.decision}"


class RecallCampaign(VersionedModel):
    """A recall of a product model's units, chosen by serial range or production batch; each unit gets a work
    order, and the compensation given is recorded."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what to do on each unit"), blank=True)
    product_model = models.ForeignKey("customers.ProductModel", on_delete=models.PROTECT, related_name="recalls",
                                      verbose_name=_("product model"))
    serial_from = models.CharField(_("serial from"), max_length=60, blank=True)
    serial_to = models.CharField(_("serial to"), max_length=60, blank=True)
    production_batch = models.CharField(_("production batch"), max_length=40, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("recall campaign")
        verbose_name_plural = _("recall campaigns")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class RecallUnit(TimeStampedModel):
    """One unit in a launched campaign, with the request and work order made for it."""

    campaign = models.ForeignKey(RecallCampaign, on_delete=models.CASCADE, related_name="units")
    equipment = models.ForeignKey("customers.Equipment", on_delete=models.PROTECT, related_name="recall_units",
                                  verbose_name=_("equipment"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("customer"))
    site = models.ForeignKey("customers.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    province = models.ForeignKey("core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("province"))
    request = models.ForeignKey("servicedesk.ServiceRequest", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("service request"))
    work_order = models.ForeignKey("fieldservice.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("work order"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("recalled unit")
        verbose_name_plural = _("recalled units")
        constraints = [models.UniqueConstraint(fields=["campaign", "equipment"], name="recall_unit_once")]

    def __str__(self) -> str:
        return f"{self.campaign.number} {self.equipment.serial}"


class RecallCompensation(TimeStampedModel):
    """What the customer was given for one recalled unit: money (a compensation bill line) or something else."""

    unit = models.ForeignKey(RecallUnit, on_delete=models.CASCADE, related_name="compensations")
    kind = models.CharField(_("kind"), max_length=18, choices=CompensationKind.choices)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **PRICE)
    description = models.CharField(_("description"), max_length=200, blank=True)
    bill = models.ForeignKey("billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("bill"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("recorded by"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")

    def __str__(self) -> str:
        return f"{self.unit} {self.kind}"
