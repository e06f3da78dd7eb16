from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed


class AlreadyAssigned(Conflict):
    code = "already_assigned"
    default_message = _("Someone else assigned this work order a moment ago.")


class NotAnEngineer(ValidationFailed):
    code = "not_an_engineer"
    default_message = _("Work orders can only be assigned to active field engineers.")


class RequestNotDispatchable(InvalidTransition):
    code = "request_not_dispatchable"
    default_message = _("Triage the request before creating work orders; closed and resolved requests take none.")


class NotYourWorkOrder(PermissionDenied):
    code = "not_your_work_order"
    default_message = _("This work order is assigned to someone else.")


class VisitIncomplete(ValidationFailed):
    code = "visit_incomplete"
    default_message = _("Record the departure and the outcome of the visit first.")


class NoOpenVisit(InvalidTransition):
    code = "no_open_visit"
    default_message = _("Record your arrival on site first.")


class AppointmentInvalid(ValidationFailed):
    code = "appointment_invalid"
    default_message = _("The appointment must end after it starts.")


class ReceiptAlreadySigned(Conflict):
    code = "receipt_already_signed"
    default_message = _("The customer has already signed the receipt for this visit.")


class TakebackDetailsRequired(ValidationFailed):
    code = "takeback_details_required"
    default_message = _("Say which item was taken back and its condition.")


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = _("Give a reason.")


class AlreadyOnSite(ValidationFailed):
    code = "already_on_site"
    default_message = _("Your arrival is already recorded; record the departure of the current visit first.")


class TimeInFuture(ValidationFailed):
    code = "time_in_future"
    default_message = _("That time is in the future.")


class AlreadyDeparted(ValidationFailed):
    code = "already_departed"
    default_message = _("The departure of this visit is already recorded.")


class DepartureBeforeArrival(ValidationFailed):
    code = "departure_before_arrival"
    default_message = _("The departure cannot be before the arrival.")


class SignerRequired(ValidationFailed):
    code = "signer_required"
    default_message = _("Enter the name of the person signing.")


class InvalidPartLine(ValidationFailed):
    code = "invalid_part_line"
    default_message = _("Each part needs a description and a quantity greater than zero.")
