"""Billing refusals (C6): each a stable code and a message in the user's language."""

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed


class InvalidChargeLine(ValidationFailed):
    code = "invalid_charge_line"
    default_message = _("A charge line needs a description, a positive quantity and a price.")


class NoChargeForClass(Conflict):
    code = "no_charge_for_class"
    default_message = _("Free-warranty (C) and internal (D) jobs are not charged: no bill or quote is made for them.")


class ServiceClassMissing(Conflict):
    code = "service_class_missing"
    default_message = _("This work order has no service class yet; set it before charging.")


class WorkNotCompleted(InvalidTransition):
    code = "work_not_completed"
    default_message = _("Bill a work order once it is completed.")


class AlreadyBilled(Conflict):
    code = "already_billed"
    default_message = _("This work order already has a bill.")


class BillNotDraft(InvalidTransition):
    code = "bill_not_draft"
    default_message = _("The bill has been issued: its lines can no longer be changed.")


class PartPriceRequired(ValidationFailed):
    code = "part_price_required"
    default_message = _("Enter the price of every part that is not in the catalogue before issuing the bill.")


class CurrencyMismatch(ValidationFailed):
    code = "currency_mismatch"
    default_message = _("A rate or price is in another currency than the bill.")


class RateMissing(ValidationFailed):
    code = "rate_missing"
    default_message = _("No labour rate or travel fee is configured for this case; ask an administrator.")


class QuoteNotApproved(Conflict):
    code = "quote_not_approved"
    default_message = _("This is a paid job: the customer must approve the quote before the work is recorded.")


class QuoteNotOpen(InvalidTransition):
    code = "quote_not_open"
    default_message = _("This quote is no longer awaiting approval.")


class WorkOrderClosed(InvalidTransition):
    code = "work_order_closed"
    default_message = _("The work order is completed or cancelled: no new quote can be made.")


class ApproverRequired(ValidationFailed):
    code = "approver_required"
    default_message = _("Give the name of the customer's person who approved.")


class ApprovalMethodInvalid(ValidationFailed):
    code = "approval_method_invalid"
    default_message = _("Approval is by signature on screen or by phone.")


class PhoneApprovalNoteRequired(ValidationFailed):
    code = "phone_approval_note_required"
    default_message = _("A phone approval needs a note saying what was agreed.")


class NotYourWorkOrder(PermissionDenied):
    code = "not_your_work_order"
    default_message = _("This work order is assigned to someone else.")


class AccountInvalid(ValidationFailed):
    code = "account_invalid"
    default_message = _("Choose one of the company's active designated accounts that accepts this method.")


class PaymentMethodInvalid(ValidationFailed):
    code = "payment_method_invalid"
    default_message = _("Unknown payment method. Cash is recorded as a deposit to a company bank account.")


class AmountMismatch(ValidationFailed):
    code = "amount_mismatch"
    default_message = _("The amount received must equal the bill's total.")


class ReferenceRequired(ValidationFailed):
    code = "reference_required"
    default_message = _("Give the payment's reference (transaction, voucher or deposit slip number).")


class ReceivedDateInvalid(ValidationFailed):
    code = "received_date_invalid"
    default_message = _("The date received cannot be in the future or before the bill was made.")


class BillNotIssued(InvalidTransition):
    code = "bill_not_issued"
    default_message = _("Issue the bill before recording its payment.")


class WaiveReasonRequired(ValidationFailed):
    code = "waive_reason_required"
    default_message = _("Say why the bill is waived.")
