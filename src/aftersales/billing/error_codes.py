from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed


class InvalidChargeLine(ValidationFailed):
    code = "invalid_charge_line"
    default_message = _("A charge line needs a description, a positive quantity and a price.")
