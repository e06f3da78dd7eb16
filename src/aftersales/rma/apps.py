from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RmaConfig(AppConfig):
    name = "aftersales.rma"
    label = "rma"
    verbose_name = _("Return for repair")
