from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed


class ReasonRequired(ValidationFailed):
    code = "return_reason_required"
    default_message = _("Give the reason.")


class ItemRequired(ValidationFailed):
    code = "return_item_required"
    default_message = _("Choose the equipment or the part that comes back.")


class NotOfCustomer(ValidationFailed):
    code = "return_not_of_customer"
    default_message = _("The equipment, request or work order belongs to another customer.")


class RefundInvalid(ValidationFailed):
    code = "return_refund_invalid"
    default_message = _("The refund is an amount of zero or more.")


class KindInvalid(ValidationFailed):
    code = "return_kind_invalid"
    default_message = _("Choose return or exchange.")


class ChainClosed(Conflict):
    code = "return_chain_closed"
    default_message = _("This request has already been decided.")


class OutOfOrder(Conflict):
    code = "return_out_of_order"
    default_message = _("It is not this step's turn: the request waits for “%(step)s”.")

    def __init__(self, *, step_label: str, **params: object) -> None:
        super().__init__(self.default_message % {"step": step_label}, **params)


class WrongRole(PermissionDenied):
    code = "return_wrong_role"
    default_message = _("Your role does not decide this step.")


class NotTheAssessor(PermissionDenied):
    code = "return_not_assessor"
    default_message = _("Another engineer was chosen to assess this return.")


class AssessorInvalid(ValidationFailed):
    code = "return_assessor_invalid"
    default_message = _("Choose an active engineer to assess the item on site.")


class LocationRequired(ValidationFailed):
    code = "return_location_required"
    default_message = _("Choose where the returned part goes and, for an exchange, where the replacement comes from.")


class CampaignSelectionInvalid(ValidationFailed):
    code = "recall_selection_invalid"
    default_message = _("Choose the product model and a serial range (from ≤ to) or a production batch.")


class CampaignNotDraft(Conflict):
    code = "recall_not_draft"
    default_message = _("The campaign has already been launched.")


class CampaignEmpty(Conflict):
    code = "recall_empty"
    default_message = _("No equipment matches the campaign's selection.")


class CompensationInvalid(ValidationFailed):
    code = "recall_compensation_invalid"
    default_message = _("Give a positive amount for money, or describe what was given.")


class TitleRequired(ValidationFailed):
    code = "recall_title_required"
    default_message = _("Give the campaign a title.")
