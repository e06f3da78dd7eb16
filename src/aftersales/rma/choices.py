"""RMA vocabulary: kinds, states and the table of allowed transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.statemachine import StateMachine


class RmaKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange")
    WARRANTY = "warranty", _("Warranty repair")
    PAID = "paid", _("Paid repair")


class RmaState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    TESTED = "tested", _("Tested")
    WITH_CLERK = "with_clerk", _("With RMA clerk")
    AT_VENDOR = "at_vendor", _("Shipped to vendor")
    RECEIVED = "received", _("Received back")
    RETESTED = "retested", _("Retested")
    RETURNED = "returned", _("Returned to customer")
    SCRAPPED = "scrapped", _("Scrapped")


class TestResult(models.TextChoices):
    PRODUCT_FAULT = "product_fault", _("Product fault")
    MISUSE = "misuse", _("Misuse")


class MisuseDecision(models.TextChoices):
    """What the customer chose when the test found misuse (the warranty does not cover it)."""

    PAID_REPAIR = "paid_repair", _("Customer accepts a paid repair")
    RETURN_AS_IS = "return_as_is", _("Return to the customer as is")


class RetestResult(models.TextChoices):
    REPAIRED = "repaired", _("Works: repaired or replaced")
    FAILED = "failed", _("Still faulty")


class ScrapChoice(models.TextChoices):
    RETURN_SCRAP = "return_scrap", _("Return the scrap to the customer")
    COMPANY_DISPOSES = "company_disposes", _("The company disposes of it")


class ChaseKind(models.TextChoices):
    REMINDER = "reminder", _("Scheduled reminder")
    MANUAL = "manual", _("Chased by the clerk")


S = RmaState
OPEN_STATES = (S.REGISTERED, S.TESTED, S.WITH_CLERK, S.AT_VENDOR, S.RECEIVED, S.RETESTED)
RMA_MACHINE = StateMachine.build(
    "rma",
    {
        "test": ([S.REGISTERED], S.TESTED, _("Record the test")),
        "hand_over": ([S.TESTED], S.WITH_CLERK, _("Hand over to the RMA clerk")),
        # A retest that failed may go to the vendor again.
        "ship": ([S.WITH_CLERK, S.RETESTED], S.AT_VENDOR, _("Ship to the vendor")),
        "receive": ([S.AT_VENDOR], S.RECEIVED, _("Receive back from the vendor")),
        "retest": ([S.RECEIVED], S.RETESTED, _("Record the retest")),
        # Misuse that the customer will not pay to repair goes back as it is, straight after the test.
        "return": ([S.TESTED, S.RETESTED], S.RETURNED, _("Return to the customer")),
        "scrap": ([S.TESTED, S.WITH_CLERK, S.RECEIVED, S.RETESTED], S.SCRAPPED, _("Scrap")),
    },
    state_labels=dict(RmaState.choices),
)

# How often the vendor is chased while the item is away, by kind (days).
CHASE_EVERY_DAYS = {RmaKind.EXCHANGE: 2, RmaKind.WARRANTY: 7, RmaKind.PAID: 7}
# Away longer than this, the customer is told (once per case).
CUSTOMER_NOTICE_AFTER_DAYS = 14
AGE_BUCKETS = ((0, 7, "0–7"), (8, 14, "8–14"), (15, 30, "15–30"), (31, None, "31+"))
