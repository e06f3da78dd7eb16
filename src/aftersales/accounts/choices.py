from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does in after-sales; it decides what he may see and do (core/permissions.py)."""

    AGENT = "agent", _("Hotline agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    ENGINEER = "engineer", _("Field engineer")
    LEAD = "lead", _("Regional lead")
    MANAGER = "manager", _("After-sales manager")
    ADMIN = "admin", _("Administrator")
    FINANCE = "finance", _("Finance")
    PURCHASING = "purchasing", _("Purchasing")
    STOREKEEPER = "storekeeper", _("Storekeeper")
    RMA_CLERK = "rma_clerk", _("RMA clerk")
    # Outside parties get their own roles in later capabilities (C17, C18, C24); scoping already keys on role.


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"
