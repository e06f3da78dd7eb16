"""Billing vocabulary (C6): charge kinds, the bill's two state machines (issue, payment), quotes, accounts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.statemachine import StateMachine


class ChargeKind(models.TextChoices):
    LABOUR = "labour", _("Labour")
    PARTS = "parts", _("Parts")
    TRAVEL = "travel", _("Travel")
    REFUND = "refund", _("Refund")  # an approved return paid back (negative amount)
    COMPENSATION = "compensation", _("Compensation")  # given to a customer, e.g. in a recall (negative amount)
    OTHER = "other", _("Other")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


# Payment status moves only forward, and only by the finance role (billing.services.bill_pay / bill_waive).
PAYMENT_MACHINE = StateMachine.build(
    "bill_payment",
    {
        "pay": ([PaymentStatus.UNPAID], PaymentStatus.PAID, _("Record payment")),
        "waive": ([PaymentStatus.UNPAID], PaymentStatus.WAIVED, _("Waive")),
    },
    state_labels=dict(PaymentStatus.choices),
)


class BillState(models.TextChoices):
    """A work order's bill is a draft (lines editable) until issued; then its lines are fixed."""

    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Discarded")


BILL_MACHINE = StateMachine.build(
    "bill",
    {
        "issue": ([BillState.DRAFT], BillState.ISSUED, _("Issue")),
        "cancel": ([BillState.DRAFT], BillState.CANCELLED, _("Discard draft")),
    },
    state_labels=dict(BillState.choices),
)


class QuoteState(models.TextChoices):
    DRAFT = "draft", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


QUOTE_MACHINE = StateMachine.build(
    "quote",
    {
        "approve": ([QuoteState.DRAFT], QuoteState.APPROVED, _("Approve")),
        "withdraw": ([QuoteState.DRAFT, QuoteState.APPROVED], QuoteState.WITHDRAWN, _("Withdraw")),
    },
    state_labels=dict(QuoteState.choices),
)


class ApprovalMethod(models.TextChoices):
    SIGNATURE = "signature", _("Signed on screen")
    PHONE = "phone", _("Approved by phone")


class RegionClass(models.IntegerChoices):
    """Travel fee class of a site: 1 the service centre's city, 2 the same province, 3 another province."""

    SAME_CITY = 1, _("1 · Same city as the service centre")
    SAME_PROVINCE = 2, _("2 · Same province")
    OTHER_PROVINCE = 3, _("3 · Other province")


class AccountKind(models.TextChoices):
    BANK = "bank", _("Bank account")
    QR = "qr", _("Company QR code (WeChat Pay / Alipay)")
    POS = "pos", _("POS card terminal")


class PaymentMethod(models.TextChoices):
    """How the money reached the company. There is no 'cash kept by the engineer': cash is handed to finance and
    recorded as a deposit into a designated bank account, with the deposit slip's reference."""

    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    QR = "qr", _("QR code payment")
    POS = "pos", _("Card at POS terminal")
    CASH_DEPOSIT = "cash_deposit", _("Cash, deposited to the bank")


# Which kind of designated account each method pays into.
METHOD_ACCOUNT_KIND = {
    PaymentMethod.BANK_TRANSFER: AccountKind.BANK,
    PaymentMethod.CASH_DEPOSIT: AccountKind.BANK,
    PaymentMethod.QR: AccountKind.QR,
    PaymentMethod.POS: AccountKind.POS,
}
