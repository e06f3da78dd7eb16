from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import InvalidTransition, ValidationFailed


class NotOfCustomer(ValidationFailed):
    code = "not_of_customer"
    default_message = _("The site, equipment or contact does not belong to the chosen customer.")


class SeverityRequired(ValidationFailed):
    code = "severity_required"
    default_message = _("Choose a severity: general, important or urgent.")


class ReopenPeriodOver(InvalidTransition):
    code = "reopen_period_over"
    default_message = _("This request was closed too long ago to reopen; record a new request instead.")


class OpenWorkOrders(InvalidTransition):
    code = "open_work_orders"
    default_message = _("Finish or cancel the open work orders first.")


class ResolutionRequired(ValidationFailed):
    code = "resolution_required"
    default_message = _("Describe how the problem was resolved.")


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = _("Give a reason.")
