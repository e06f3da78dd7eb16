from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, ValidationFailed


class SerialRequired(ValidationFailed):
    code = "rma_serial_required"
    default_message = _("Enter the serial number of the returned item.")


class DescriptionRequired(ValidationFailed):
    code = "rma_item_required"
    default_message = _("Describe the returned item and its fault.")


class NotOfCustomer(ValidationFailed):
    code = "rma_not_of_customer"
    default_message = _("The equipment or work order belongs to another customer.")


class TestResultRequired(ValidationFailed):
    code = "rma_test_result_required"
    default_message = _("Choose the test result: product fault or misuse.")


class MisuseDecisionRequired(ValidationFailed):
    code = "rma_misuse_decision_required"
    default_message = _("The test found misuse: record whether the customer accepts a paid repair.")


class NotForVendor(Conflict):
    code = "rma_not_for_vendor"
    default_message = _("Misuse the customer will not pay to repair goes back as it is, not to a vendor.")


class VendorInvalid(ValidationFailed):
    code = "rma_vendor_invalid"
    default_message = _("Choose an active supplier that repairs returned items.")


class ShipmentIncomplete(ValidationFailed):
    code = "rma_shipment_incomplete"
    default_message = _("Enter the carrier, the tracking number and the shipping date.")


class DateInvalid(ValidationFailed):
    code = "rma_date_invalid"
    default_message = _("The date cannot be in the future or before the item was shipped.")


class LeftoverInvalid(ValidationFailed):
    code = "rma_leftover_invalid"
    default_message = _("Each leftover part needs a catalogue part or a description, and a positive quantity.")


class RmaShelfMissing(ValidationFailed):
    code = "rma_shelf_missing"
    default_message = _("No active RMA shelf location exists to keep the leftover parts.")


class RetestResultRequired(ValidationFailed):
    code = "rma_retest_result_required"
    default_message = _("Choose the retest result.")


class SignatureRequired(ValidationFailed):
    code = "rma_signature_required"
    default_message = _("The customer signs for the returned item: enter the name and the signature.")


class ScrapChoiceRequired(ValidationFailed):
    code = "rma_scrap_choice_required"
    default_message = _("Record the customer's choice: return the scrap or let the company dispose of it.")


class NotAtVendor(Conflict):
    code = "rma_not_at_vendor"
    default_message = _("The vendor can be chased only while the item is with the vendor.")


class NoteRequired(ValidationFailed):
    code = "rma_note_required"
    default_message = _("Write what the vendor said.")


class NoticeAlreadySent(Conflict):
    code = "rma_notice_sent"
    default_message = _("This customer notice has already been marked as sent.")


class KindInvalid(ValidationFailed):
    code = "rma_kind_invalid"
    default_message = _("Choose the kind: exchange, warranty repair or paid repair.")


class AlreadyRepaired(Conflict):
    code = "rma_already_repaired"
    default_message = _("The retest found the item repaired: return it to the customer instead of shipping it again.")
