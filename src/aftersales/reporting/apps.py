from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "aftersales.reporting"
    label = "reporting"
    verbose_name = _("Dashboards and reports")
