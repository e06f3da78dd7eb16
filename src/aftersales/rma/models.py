"""Return for repair (RMA, C7): an item brought back from a customer, tested, sent to a vendor and returned."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel, VersionedModel

from .choices import ChaseKind, MisuseDecision, RetestResult, RmaKind, RmaState, ScrapChoice, TestResult


class RmaCase(VersionedModel):
    """One returned item (返修件) on its way through test, the vendor and back to the customer."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RmaKind.choices)
    state = models.CharField(_("state"), max_length=12, choices=RmaState.choices, default=RmaState.REGISTERED)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="rma_cases",
                                 verbose_name=_("customer"))
    equipment = models.ForeignKey("customers.Equipment", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="rma_cases", verbose_name=_("equipment"))
    serial = models.CharField(_("serial number"), max_length=60)
    item_description = models.CharField(_("item"), max_length=200)
    fault = models.TextField(_("fault"))
    source_work_order = models.ForeignKey("fieldservice.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="rma_cases", verbose_name=_("source work order"))
    brought_by = models.CharField(_("brought by"), max_length=60)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("registered by"))
    # The province of the unit's site (or the work order's request): a regional lead sees his province's cases.
    province = models.ForeignKey("core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("province"))
    test_result = models.CharField(_("test result"), max_length=14, choices=TestResult.choices, blank=True)
    misuse_decision = models.CharField(_("customer's decision"), max_length=14, choices=MisuseDecision.choices,
                                       blank=True)
    test_notes = models.TextField(_("test notes"), blank=True)
    tested_at = models.DateTimeField(_("tested"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    vendor = models.ForeignKey("suppliers.Supplier", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="rma_cases", verbose_name=_("vendor"))
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    shipped_on = models.DateField(_("shipped"), null=True, blank=True)
    first_shipped_on = models.DateField(_("first shipped"), null=True, blank=True)
    received_on = models.DateField(_("received back"), null=True, blank=True)
    vendor_report = models.TextField(_("vendor's report"), blank=True)
    retest_result = models.CharField(_("retest result"), max_length=10, choices=RetestResult.choices, blank=True)
    retest_notes = models.TextField(_("retest notes"), blank=True)
    next_chase_on = models.DateField(_("next chase"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=60, blank=True)
    signature = models.FileField(upload_to="signatures/%Y/%m/", max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    scrap_choice = models.CharField(_("customer's choice"), max_length=18, choices=ScrapChoice.choices, blank=True)
    closing_notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("RMA case")
        verbose_name_plural = _("RMA cases")
        indexes = [
            models.Index(fields=["state", "-created_at"], name="rma_state_idx"),
            models.Index(fields=["next_chase_on"], name="rma_chase_idx", condition=models.Q(state="at_vendor")),
            models.Index(fields=["vendor", "first_shipped_on"], name="rma_vendor_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class RmaLeftover(TimeStampedModel):
    """A part that stayed behind when the item went to the vendor: labelled with the RMA number, kept on the
    RMA shelf (catalogue parts in stock, others described), released when the item goes back to the customer."""

    case = models.ForeignKey(RmaCase, on_delete=models.CASCADE, related_name="leftovers")
    part = models.ForeignKey("inventory.Part", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("part"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    location = models.ForeignKey("inventory.StockLocation", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("shelf"))
    stock_move = models.OneToOneField("inventory.StockMove", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    release_move = models.OneToOneField("inventory.StockMove", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("leftover part")
        verbose_name_plural = _("leftover parts")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="rma_leftover_qty_positive")]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.part.number if self.part_id else self.description}"

    @property
    def label(self) -> str:
        return self.part.name if self.part_id else self.description


class RmaChase(models.Model):
    """One chase of the vendor: a reminder due on a day (at most one per case and day), and the note the clerk
    wrote when he chased."""

    case = models.ForeignKey(RmaCase, on_delete=models.CASCADE, related_name="chases")
    kind = models.CharField(_("kind"), max_length=10, choices=ChaseKind.choices)
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(_("created"))
    chased_at = models.DateTimeField(_("chased"), null=True, blank=True)
    chased_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("chased by"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("vendor chase")
        verbose_name_plural = _("vendor chases")
        constraints = [
            models.UniqueConstraint(fields=["case", "due_on"], condition=models.Q(kind="reminder"),
                                    name="rma_chase_once_per_due_day"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.due_on}"


class CustomerNotice(models.Model):
    """A task for an agent: tell the customer his item is still at the vendor (drafted in his language)."""

    case = models.OneToOneField(RmaCase, on_delete=models.CASCADE, related_name="customer_notice")
    language = models.CharField(_("language"), max_length=10)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("sent by"))
    sent_note = models.CharField(_("how it was sent"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("customer notice")
        verbose_name_plural = _("customer notices")
        indexes = [models.Index(fields=["created_at"], name="rma_notice_open_idx",
                                condition=models.Q(sent_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.case.number}"
