"""Stable error codes of the SLA context (clocks, progress reports)."""

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import InvalidTransition, ValidationFailed


class ReportRequired(ValidationFailed):
    code = "progress_report_required"
    default_message = _("Write what you told the customer.")


class RequestNotOpen(InvalidTransition):
    code = "request_not_open"
    default_message = _("Progress reports are recorded only on open requests.")


class TimeInFuture(ValidationFailed):
    code = "time_in_future"
    default_message = _("The time cannot be in the future.")
