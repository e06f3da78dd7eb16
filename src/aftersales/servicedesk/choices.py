"""Service request vocabulary and its state machine (the one table every screen and endpoint obeys)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.statemachine import StateMachine


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WEB = "web", _("Web portal")
    EMAIL = "email", _("Email")
    FIELD = "field", _("Field engineer")
    API = "api", _("API")


class RequestType(models.TextChoices):
    REPAIR = "repair", _("Repair")
    COMPLAINT = "complaint", _("Complaint")
    INQUIRY = "inquiry", _("Inquiry")
    SUGGESTION = "suggestion", _("Suggestion")
    INSTALLATION = "installation", _("Installation")
    RETURN = "return", _("Return / exchange")


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    IMPORTANT = "important", _("Important")
    URGENT = "urgent", _("Urgent")


SEVERITY_RANK = {Severity.URGENT: 0, Severity.IMPORTANT: 1, Severity.GENERAL: 2}


class RequestState(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting_customer", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# A sorted tuple, not a set: `state__in=OPEN_STATES` then writes its IN list in the order of the partial indexes'
# condition (models.py). SQLite uses a partial index only when the query's term matches that condition as written,
# and a frozenset's order changed with each process's hash seed: the dispatcher's open-queue query fell back to a
# scan in some server processes (650 ms instead of a few) and not in others.
OPEN_STATES = tuple(sorted((RequestState.NEW, RequestState.TRIAGED, RequestState.DISPATCHED,
                            RequestState.IN_PROGRESS, RequestState.WAITING)))

STATE_COLOURS = {
    RequestState.NEW: "blue",
    RequestState.TRIAGED: "indigo",
    RequestState.DISPATCHED: "violet",
    RequestState.IN_PROGRESS: "amber",
    RequestState.WAITING: "grey",
    RequestState.RESOLVED: "green",
    RequestState.CLOSED: "slate",
}

S = RequestState
REQUEST_MACHINE = StateMachine.build(
    "service_request",
    {
        # action: (from states, to state, label)
        "triage": ([S.NEW, S.TRIAGED], S.TRIAGED, _("Triage")),
        "dispatch": ([S.TRIAGED], S.DISPATCHED, _("Dispatch")),
        "undispatch": ([S.DISPATCHED], S.TRIAGED, _("Back to triaged")),
        "start": ([S.DISPATCHED, S.TRIAGED], S.IN_PROGRESS, _("Start work")),
        "wait": ([S.TRIAGED, S.DISPATCHED, S.IN_PROGRESS], S.WAITING, _("Wait on customer")),
        "resume": ([S.WAITING], S.IN_PROGRESS, _("Resume")),
        "resolve": ([S.TRIAGED, S.DISPATCHED, S.IN_PROGRESS, S.WAITING], S.RESOLVED, _("Resolve")),
        "close": ([S.RESOLVED], S.CLOSED, _("Close")),
        "cancel": ([S.NEW, S.TRIAGED], S.CLOSED, _("Cancel")),
        "reopen": ([S.RESOLVED, S.CLOSED], S.TRIAGED, _("Reopen")),
    },
    state_labels=dict(RequestState.choices),
)
# Actions a user may call directly; the others follow from work orders (dispatch, start).
MANUAL_ACTIONS = ("triage", "wait", "resume", "resolve", "close", "cancel", "reopen")
