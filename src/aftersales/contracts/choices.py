"""Warranty and contract vocabulary, and the service class every work order carries (C6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.statemachine import StateMachine


class ServiceClass(models.TextChoices):
    """Who pays for a job (有费 / 合同 / 免费 / 一般行政)."""

    PAID = "A", _("A · Paid")
    CONTRACT = "B", _("B · Contract")
    WARRANTY = "C", _("C · Free (warranty)")
    INTERNAL = "D", _("D · Internal")


class ContractState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


C = ContractState
CONTRACT_MACHINE = StateMachine.build(
    "contract",
    {
        "activate": ([C.DRAFT], C.ACTIVE, _("Activate")),
        "terminate": ([C.DRAFT, C.ACTIVE], C.TERMINATED, _("Terminate")),
        "expire": ([C.ACTIVE], C.EXPIRED, _("Expire")),
    },
    state_labels=dict(ContractState.choices),
)

# Renewal reminders go out this many days before a contract's last day (each once; the nearest one that applies).
REMINDER_DAYS = (60, 30)
