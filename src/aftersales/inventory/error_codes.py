from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, ValidationFailed


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = _("Not enough stock available at this location.")


class InvalidQuantity(ValidationFailed):
    code = "invalid_quantity"
    default_message = _("The quantity must be a positive number.")


class InvalidMove(ValidationFailed):
    code = "invalid_move"
    default_message = _("This stock move is missing a location or names the same location twice.")


class InactivePart(ValidationFailed):
    code = "inactive_part"
    default_message = _("This part or location is no longer in use.")
