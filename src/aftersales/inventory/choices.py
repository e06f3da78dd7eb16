"""Spare-parts vocabulary."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.statemachine import StateMachine


class LocationKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Central warehouse")
    SERVICE_POINT = "service_point", _("Service point")
    VAN = "van", _("Engineer's van")
    RMA = "rma", _("RMA shelf")  # leftover parts of items away for repair, labelled with their RMA


class MoveKind(models.TextChoices):
    RECEIVE = "receive", _("Receive")  # into a location from a supplier (or a purchase request)
    TRANSFER = "transfer", _("Transfer")  # from one location to another
    RESERVE = "reserve", _("Reserve")  # hold units at a location for a work order
    RELEASE = "release", _("Release reservation")
    ISSUE = "issue", _("Issue to work order")  # leaves stock, used on a job
    RETURN = "return", _("Return to stock")  # back from a job or a customer
    SCRAP = "scrap", _("Scrap")
    ADJUST = "adjust", _("Count adjustment")  # signed: a stock count found more or fewer


# How each kind changes on-hand (at its from/to location) and reserved quantities.
# (location field, on-hand sign, reserved sign)
MOVE_EFFECTS: dict[str, list[tuple[str, int, int]]] = {
    MoveKind.RECEIVE: [("to_location", +1, 0)],
    MoveKind.TRANSFER: [("from_location", -1, 0), ("to_location", +1, 0)],
    MoveKind.RESERVE: [("from_location", 0, +1)],
    MoveKind.RELEASE: [("from_location", 0, -1)],
    MoveKind.ISSUE: [("from_location", -1, 0)],
    MoveKind.RETURN: [("to_location", +1, 0)],
    MoveKind.SCRAP: [("from_location", -1, 0)],
    MoveKind.ADJUST: [("to_location", +1, 0)],  # quantity is signed for adjustments only
}


class PurchaseState(models.TextChoices):
    OPEN = "open", _("To order")  # raised (by a reorder point or by hand), waiting for the buyer
    ORDERED = "ordered", _("Ordered")  # ordered from a supplier, expected on a date
    RECEIVED = "received", _("Received in full")  # the ordered quantity has arrived
    CANCELLED = "cancelled", _("Cancelled")


OPEN_PURCHASE_STATES = (PurchaseState.OPEN, PurchaseState.ORDERED)

# Moves that lower what is available at a location (and so may cross a reorder point there).
DECREASING = {MoveKind.TRANSFER, MoveKind.RESERVE, MoveKind.ISSUE, MoveKind.SCRAP, MoveKind.ADJUST}

PURCHASE_MACHINE = StateMachine.build("purchase_request", {
    "order": ([PurchaseState.OPEN], PurchaseState.ORDERED, _("Order")),
    "receive": ([PurchaseState.ORDERED], PurchaseState.RECEIVED, _("Receive")),
    "cancel": ([PurchaseState.OPEN, PurchaseState.ORDERED], PurchaseState.CANCELLED, _("Cancel")),
}, dict(PurchaseState.choices))
