from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.statemachine import StateMachine


class CallbackState(models.TextChoices):
    PENDING = "pending", _("To call")
    DONE = "done", _("Done")


class CallbackMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")


class CallbackResult(models.TextChoices):
    REACHED = "reached", _("Reached")
    UNREACHABLE = "unreachable", _("Unreachable")


class ComplaintState(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


C = ComplaintState
COMPLAINT_MACHINE = StateMachine.build(
    "complaint",
    {
        "investigate": ([C.OPEN], C.INVESTIGATING, _("Investigate")),
        "answer": ([C.OPEN, C.INVESTIGATING], C.ANSWERED, _("Answer the customer")),
        "close": ([C.ANSWERED], C.CLOSED, _("Close")),
        "reopen": ([C.ANSWERED, C.CLOSED], C.INVESTIGATING, _("Reopen")),
    },
    state_labels=dict(ComplaintState.choices),
)
