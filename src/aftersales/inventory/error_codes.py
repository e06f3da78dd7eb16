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


class UnknownPart(ValidationFailed):
    code = "unknown_part"
    default_message = _("There is no such part in the catalogue.")


class UnknownLocation(ValidationFailed):
    code = "unknown_location"
    default_message = _("There is no such stock location.")


class NoVan(ValidationFailed):
    code = "no_van"
    default_message = _("You have no van stock location: choose the location the part comes from.")


class LocationNotAllowed(ValidationFailed):
    code = "location_not_allowed"
    default_message = _("Parts can be issued to a visit only from your own van, a service point or a warehouse.")


class VanTaken(ValidationFailed):
    code = "van_taken"
    default_message = _("This engineer already has a van; a van needs an engineer and an engineer has one van.")


class ReceiptMismatch(ValidationFailed):
    code = "receipt_mismatch"
    default_message = _("This receipt does not match its purchase request (part, location or state).")


class PartNumberTaken(ValidationFailed):
    code = "code_taken"
    default_message = _("This part number or location code is already in use.")


class NegativePrice(ValidationFailed):
    code = "invalid_price"
    default_message = _("Prices cannot be negative.")


class ReasonRequired(ValidationFailed):
    code = "reason_required"
    default_message = _("Give a reason for this move.")


class SupplierRequired(ValidationFailed):
    code = "supplier_required"
    default_message = _("Choose the supplier the part is ordered from.")


class PurchaseAlreadyOpen(ValidationFailed):
    status = 409
    code = "purchase_already_open"
    default_message = _("A purchase request for this part and location is already open.")
