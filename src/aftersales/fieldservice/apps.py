from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldserviceConfig(AppConfig):
    name = "aftersales.fieldservice"
    label = "fieldservice"
    verbose_name = _("Dispatch and field work")
