from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed


class SiteNotOfCustomer(ValidationFailed):
    code = "site_not_of_customer"
    default_message = _("The site does not belong to this customer.")


class DuplicateSerial(ValidationFailed):
    code = "duplicate_serial"
    default_message = _("This model already has a unit with that serial number.")


class CityRequired(ValidationFailed):
    code = "city_required"
    default_message = _("Choose a city; the province follows from it.")


class CodeTaken(ValidationFailed):
    code = "code_taken"
    default_message = _("This code is already in use.")


class WarrantyEndBeforeStart(ValidationFailed):
    code = "warranty_end_before_start"
    default_message = _("The warranty cannot end before it starts.")
