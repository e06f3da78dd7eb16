from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class WarrantyStatus(models.TextChoices):
    IN_WARRANTY = "in_warranty", _("In warranty")
    EXPIRED = "expired", _("Out of warranty")
    UNKNOWN = "unknown", _("Warranty unknown")


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers, sites and contacts")
    EQUIPMENT = "equipment", _("Equipment")


class ImportState(models.TextChoices):
    PREVIEW = "preview", _("Awaiting confirmation")
    APPLIED = "applied", _("Imported")
    DISCARDED = "discarded", _("Discarded")
