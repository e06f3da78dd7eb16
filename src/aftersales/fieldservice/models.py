"""Work orders (派工单), their assignments, and what engineers record on site."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.contracts.choices import ServiceClass
from aftersales.core.models import TimeStampedModel, VersionedModel

from .choices import AssignmentResponse, VisitOutcome, WorkOrderState


class WorkOrder(VersionedModel):
    """One engineer's assignment to do one piece of work for one service request."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    request = models.ForeignKey("servicedesk.ServiceRequest", on_delete=models.PROTECT, related_name="work_orders",
                                verbose_name=_("service request"))
    state = models.CharField(_("state"), max_length=12, choices=WorkOrderState.choices,
                             default=WorkOrderState.UNASSIGNED)
    engineer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="work_orders", verbose_name=_("engineer"))
    required_skill = models.ForeignKey("accounts.Skill", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("skill needed"))
    instructions = models.TextField(_("instructions"), blank=True)
    appointment_start = models.DateTimeField(_("appointment from"), null=True, blank=True)
    appointment_end = models.DateTimeField(_("appointment until"), null=True, blank=True)
    appointment_note = models.CharField(_("appointment agreed with"), max_length=120, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # Who pays (C6): derived from warranty and contracts when the work order is created, overridable with a reason.
    service_class = models.CharField(_("service class"), max_length=1, blank=True,
                                     choices=ServiceClass.choices)
    service_class_overridden = models.BooleanField(_("service class set by hand"), default=False)
    service_class_reason = models.CharField(_("service class reason"), max_length=240, blank=True)
    contract = models.ForeignKey("contracts.Contract", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="work_orders", verbose_name=_("contract"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["engineer", "state"], name="wo_engineer_state_idx"),
            models.Index(fields=["state", "-created_at"], name="wo_state_idx"),
            models.Index(fields=["engineer", "appointment_start"], name="wo_engineer_day_idx"),
            # Dispatcher dashboard and board: all appointments of one day, whoever the engineer.
            models.Index(fields=["appointment_start"], name="wo_appointment_idx",
                         condition=models.Q(appointment_start__isnull=False)),
            # The board's open work not yet booked: a handful of rows among the active ones.
            models.Index(fields=["created_at"], name="wo_unbooked_idx",
                         condition=models.Q(appointment_start__isnull=True, state__in=["assigned", "accepted", "on_site"])),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(appointment_end__isnull=True) | models.Q(appointment_start__isnull=True)
                | models.Q(appointment_end__gte=models.F("appointment_start")),
                name="wo_appointment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Assignment(models.Model):
    """One offer of a work order to an engineer, and his answer; reassignments keep every earlier row."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="assignments")
    engineer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("engineer"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned"))
    response = models.CharField(_("answer"), max_length=10, choices=AssignmentResponse.choices,
                                default=AssignmentResponse.PENDING)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["work_order_id", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.work_order} → {self.engineer}"


class Visit(TimeStampedModel):
    """An engineer's time on site for a work order, with what he found and did."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="visits")
    engineer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits")
    arrived_at = models.DateTimeField(_("arrived"))
    arrival_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    arrival_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    departed_at = models.DateTimeField(_("departed"), null=True, blank=True)
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    fault_cause = models.TextField(_("fault cause"), blank=True)
    actions_taken = models.TextField(_("actions taken"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=VisitOutcome.choices, blank=True)
    takeback_item = models.CharField(_("item taken back"), max_length=120, blank=True)
    takeback_serial = models.CharField(_("serial of item taken back"), max_length=60, blank=True)
    takeback_condition = models.CharField(_("condition and accessories"), max_length=240, blank=True)

    class Meta:
        ordering = ["work_order_id", "arrived_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["engineer", "-arrived_at"], name="visit_engineer_idx")]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.work_order} @ {timezone.localtime(self.arrived_at):%Y-%m-%d %H:%M}"


class PartUsage(models.Model):
    """A part used on a visit (free text until the spare-parts catalogue arrives)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="parts")
    description = models.CharField(_("part"), max_length=120)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=12, default="pcs")
    # From the catalogue (C8): the part and the ledger move that issued it; free text stays possible for odd items.
    part = models.ForeignKey("inventory.Part", null=True, blank=True, on_delete=models.PROTECT, related_name="usages",
                             verbose_name=_("catalogue part"))
    stock_move = models.OneToOneField("inventory.StockMove", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="usage")

    class Meta:
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="part_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class Photo(TimeStampedModel):
    """A photo taken on a visit, stored under a random name and served only to those who may see the visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="photos/%Y/%m/", max_length=200)
    mime_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or f"#{self.pk}"


class ServiceReceipt(TimeStampedModel):
    """The service receipt card (技术服务回执卡) the customer signs on screen at the end of a visit."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="receipt")
    signer_name = models.CharField(_("signed by"), max_length=60)
    signature = models.FileField(upload_to="signatures/%Y/%m/", max_length=200)
    signed_at = models.DateTimeField(_("signed"))
    customer_comment = models.TextField(_("customer comment"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")

    class Meta:
        verbose_name = _("service receipt")
        verbose_name_plural = _("service receipts")

    def __str__(self) -> str:
        return self.number
