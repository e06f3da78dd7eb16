"""Returns, exchanges and recalls vocabulary: the approval chain and the campaign states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReturnKind(models.TextChoices):
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")


class ReturnState(models.TextChoices):
    IN_APPROVAL = "in_approval", _("In approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Step(models.TextChoices):
    AGENT = "agent", _("Agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    ASSESSMENT = "assessment", _("On-site assessment")
    MATERIALS = "materials", _("Materials")
    MANAGER = "manager", _("Manager")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


# The chain, in order, and the role that decides each step.
CHAIN: list[tuple[str, str]] = [
    (Step.AGENT, "agent"),
    (Step.DISPATCHER, "dispatcher"),
    (Step.ASSESSMENT, "engineer"),
    (Step.MATERIALS, "storekeeper"),
    (Step.MANAGER, "manager"),
]
STEP_ROLE = dict(CHAIN)
ROLE_STEP = {role: step for step, role in CHAIN}
STEP_ORDER = [step for step, _role in CHAIN]


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LAUNCHED = "launched", _("Launched")
    CLOSED = "closed", _("Closed")


class CompensationKind(models.TextChoices):
    MONEY = "money", _("Money")
    FREE_PARTS = "free_parts", _("Free parts")
    EXTENDED_WARRANTY = "extended_warranty", _("Extended warranty")
    GIFT = "gift", _("Gift")
    OTHER = "other", _("Other")
