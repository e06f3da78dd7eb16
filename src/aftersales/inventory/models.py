"""Spare parts (C8): the catalogue, stock locations, and stock as a ledger of moves.

The ledger (`StockMove`) is the truth and is append-only. `StockBalance` is its running sum per part and location,
written in the same transaction as each move by `inventory.services`, so on-hand and available answer in one
indexed read. The database refuses a negative balance (check constraints) and the services update balances with a
conditional UPDATE, so two engineers issuing the last unit at once cannot both succeed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import VersionedModel

from .choices import LocationKind, MoveKind, PurchaseState

QTY = {"max_digits": 14, "decimal_places": 2}
PRICE = {"max_digits": 14, "decimal_places": 2}


class Part(VersionedModel):
    number = models.CharField(_("part number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=12, default="pcs")
    compatible_models = models.ManyToManyField("customers.ProductModel", blank=True, related_name="parts",
                                               verbose_name=_("compatible models"))
    supplier = models.ForeignKey("suppliers.Supplier", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="parts", verbose_name=_("supplier"))
    list_price = models.DecimalField(_("catalogue price"), default=Decimal("0"), **PRICE)
    cost_price = models.DecimalField(_("cost price"), default=Decimal("0"), **PRICE)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0) & Q(cost_price__gte=0), name="part_prices_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class StockLocation(VersionedModel):
    code = models.CharField(_("location code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=LocationKind.choices)
    region = models.ForeignKey("core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    engineer = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="van", verbose_name=_("engineer"),
                                    help_text=_("The engineer whose van this is."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("stock location")
        verbose_name_plural = _("stock locations")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockMove(models.Model):
    """One line of the stock ledger. Never updated or deleted; a mistake is corrected by another move."""

    kind = models.CharField(_("kind"), max_length=10, choices=MoveKind.choices)
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="moves", verbose_name=_("part"),
                             db_index=False)  # stockmove_part_idx leads with it
    quantity = models.DecimalField(_("quantity"), **QTY)
    from_location = models.ForeignKey(StockLocation, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="moves_out", verbose_name=_("from"), db_index=False)
    to_location = models.ForeignKey(StockLocation, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="moves_in", verbose_name=_("to"), db_index=False)
    work_order = models.ForeignKey("fieldservice.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="stock_moves", verbose_name=_("work order"))
    reference = models.CharField(_("reference"), max_length=60, blank=True,
                                 help_text=_("A purchase request, an RMA, a return or a count sheet."))
    reason = models.CharField(_("reason"), max_length=240, blank=True)
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, **PRICE)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("by"))
    created_at = models.DateTimeField(_("when"), db_index=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(condition=Q(kind=MoveKind.ADJUST) | Q(quantity__gt=0),
                                   name="stock_move_quantity_positive"),
            models.CheckConstraint(condition=~Q(kind=MoveKind.ADJUST) | ~Q(quantity=0),
                                   name="stock_move_adjust_not_zero"),
        ]
        # The ledger list reads newest first, whole or narrowed to a part or a location (either side): each of
        # these answers its page from an index, without sorting a warehouse's millions of moves (bench/stock_bench.py).
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="stockmove_created_idx"),
            models.Index(fields=["part", "-created_at", "-id"], name="stockmove_part_idx"),
            models.Index(fields=["work_order"], name="stockmove_wo_idx", condition=Q(work_order__isnull=False)),
            models.Index(fields=["from_location", "-created_at", "-id"], name="stockmove_from_idx"),
            models.Index(fields=["to_location", "-created_at", "-id"], name="stockmove_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.part_id} × {self.quantity}"


class StockBalance(models.Model):
    """On-hand and reserved units of one part at one location: the running sum of the ledger."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="balances", verbose_name=_("part"))
    location = models.ForeignKey(StockLocation, on_delete=models.PROTECT, related_name="balances",
                                 verbose_name=_("location"))
    on_hand = models.DecimalField(_("on hand"), default=Decimal("0"), **QTY)
    reserved = models.DecimalField(_("reserved"), default=Decimal("0"), **QTY)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["part", "location"], name="stock_balance_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0) & Q(reserved__lte=F("on_hand")),
                                   name="stock_reserved_within_on_hand"),
        ]
        indexes = [models.Index(fields=["location", "part"], name="stockbalance_location_idx")]

    def __str__(self) -> str:
        return f"{self.part_id}@{self.location_id}: {self.on_hand} ({self.reserved} reserved)"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class ReorderPoint(VersionedModel):
    """Keep at least `min_level` of a part available at a location; below it, buy `reorder_quantity` more."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="reorder_points", verbose_name=_("part"))
    location = models.ForeignKey(StockLocation, on_delete=models.PROTECT, related_name="reorder_points",
                                 verbose_name=_("location"))
    min_level = models.DecimalField(_("minimum level"), **QTY)
    reorder_quantity = models.DecimalField(_("reorder quantity"), **QTY)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["location_id", "part_id"]
        verbose_name = _("reorder point")
        verbose_name_plural = _("reorder points")
        constraints = [
            models.UniqueConstraint(fields=["part", "location"], name="reorder_point_unique"),
            models.CheckConstraint(condition=Q(min_level__gte=0) & Q(reorder_quantity__gt=0),
                                   name="reorder_point_quantities"),
        ]

    def __str__(self) -> str:
        return f"{self.part_id}@{self.location_id} ≥ {self.min_level}"


class PurchaseRequest(VersionedModel):
    """A request to the purchasing role to buy a part for a location: raised by a reorder point or by hand,
    ordered from a supplier, closed when the ordered quantity has been received against its number."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="purchase_requests", verbose_name=_("part"))
    location = models.ForeignKey(StockLocation, on_delete=models.PROTECT, related_name="purchase_requests",
                                 verbose_name=_("deliver to"))
    quantity = models.DecimalField(_("quantity"), **QTY)
    received_quantity = models.DecimalField(_("received"), default=Decimal("0"), **QTY)
    state = models.CharField(_("state"), max_length=10, choices=PurchaseState.choices, default=PurchaseState.OPEN)
    supplier = models.ForeignKey("suppliers.Supplier", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="purchase_requests", verbose_name=_("supplier"))
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=240, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("raised by"))
    reorder_point = models.ForeignKey(ReorderPoint, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="purchase_requests", verbose_name=_("reorder point"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(received_quantity__gte=0),
                                   name="purchase_quantities"),
            # At most one open request per part and location: two moves crossing the reorder point at once
            # cannot both raise one.
            models.UniqueConstraint(fields=["part", "location"], condition=Q(state__in=["open", "ordered"]),
                                    name="purchase_one_open_per_part_location"),
        ]
        indexes = [models.Index(fields=["state", "-created_at"], name="purchase_state_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal(0))
