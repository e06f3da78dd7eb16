"""Refusals of the warranty and contract rules, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, InvalidTransition, ValidationFailed


class EquipmentNotOfCustomer(ValidationFailed):
    code = "equipment_not_of_customer"
    default_message = _("A contract can only cover the customer's own equipment.")


class ContractPeriodInvalid(ValidationFailed):
    code = "contract_period_invalid"
    default_message = _("The contract must end on or after the day it starts.")


class ContractPriceInvalid(ValidationFailed):
    code = "contract_price_invalid"
    default_message = _("The price must be an amount of zero or more in a known currency.")


class ContractHoursInvalid(ValidationFailed):
    code = "contract_hours_invalid"
    default_message = _("Response and resolution commitments must be between 1 and 720 working hours.")


class ContractClosed(InvalidTransition):
    code = "contract_closed"
    default_message = _("An expired or terminated contract can no longer be changed.")


class ContractHasNoEquipment(ValidationFailed):
    code = "contract_has_no_equipment"
    default_message = _("Add the equipment the contract covers before activating it.")


class ContractAlreadyEnded(InvalidTransition):
    code = "contract_already_ended"
    default_message = _("The contract's period is already over; change its dates or renew it instead.")


class EquipmentAlreadyCovered(Conflict):
    code = "equipment_already_covered"
    default_message = _("Unit %(unit)s is already covered by active contract %(contract)s in this period.")

    def __init__(self, *, unit: str, contract: str) -> None:
        super().__init__(self.default_message % {"unit": unit, "contract": contract}, unit=unit, contract=contract)


class AlreadyRenewed(Conflict):
    code = "already_renewed"
    default_message = _("This contract has already been renewed.")


class NotRenewable(InvalidTransition):
    code = "not_renewable"
    default_message = _("Only an active or expired contract can be renewed.")


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = _("Give a reason.")


class ServiceClassInvalid(ValidationFailed):
    code = "service_class_invalid"
    default_message = _("Unknown service class.")


class ContractRequired(ValidationFailed):
    code = "contract_required"
    default_message = _("Class B needs an active contract of this customer covering the unit.")


class WorkOrderBilled(Conflict):
    code = "work_order_billed"
    default_message = _("This work order has been billed: its service class can no longer be changed.")


class WorkOrderCancelled(InvalidTransition):
    code = "work_order_cancelled"
    default_message = _("A cancelled work order's service class cannot be changed.")
