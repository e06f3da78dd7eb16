"""Work order vocabulary and state machine."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.statemachine import StateMachine


class WorkOrderState(models.TextChoices):
    UNASSIGNED = "unassigned", _("Unassigned")
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    ON_SITE = "on_site", _("On site")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATES = frozenset({WorkOrderState.ASSIGNED, WorkOrderState.ACCEPTED, WorkOrderState.ON_SITE})

W = WorkOrderState
WORK_ORDER_MACHINE = StateMachine.build(
    "work_order",
    {
        "assign": ([W.UNASSIGNED], W.ASSIGNED, _("Assign")),
        "reassign": ([W.ASSIGNED, W.ACCEPTED], W.ASSIGNED, _("Reassign")),
        "accept": ([W.ASSIGNED], W.ACCEPTED, _("Accept")),
        "decline": ([W.ASSIGNED], W.UNASSIGNED, _("Decline")),
        "arrive": ([W.ACCEPTED, W.ON_SITE], W.ON_SITE, _("Arrive on site")),
        "complete": ([W.ON_SITE], W.COMPLETED, _("Complete")),
        "cancel": ([W.UNASSIGNED, W.ASSIGNED, W.ACCEPTED], W.CANCELLED, _("Cancel")),
    },
    state_labels=dict(WorkOrderState.choices),
)


class AssignmentResponse(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Reassigned")


class VisitOutcome(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    TAKEN_BACK = "taken_back", _("Device taken back")
