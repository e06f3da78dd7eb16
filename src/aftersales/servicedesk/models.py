"""Service requests: a customer's problem from the moment it reaches us until it is closed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import LocalizedNameMixin, VersionedModel

from .choices import OPEN_STATES, Channel, RequestState, RequestType, Severity


class FaultCategory(LocalizedNameMixin, models.Model):
    """A node of the editable fault tree (e.g. Refrigeration › Compressor › Overheating)."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent"))
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("fault category")
        verbose_name_plural = _("fault categories")

    def __str__(self) -> str:
        return self.path

    @property
    def path(self) -> str:
        names, node, seen = [], self, 0
        while node is not None and seen < 10:
            names.append(node.label)
            node, seen = node.parent, seen + 1
        return " › ".join(reversed(names))


class ServiceRequest(VersionedModel):
    """A customer's problem or question, from intake to closure; the state machine is in choices.py."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.HOTLINE)
    type = models.CharField(_("type"), max_length=14, choices=RequestType.choices, default=RequestType.REPAIR)
    state = models.CharField(_("state"), max_length=20, choices=RequestState.choices, default=RequestState.NEW)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    fault_category = models.ForeignKey(FaultCategory, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="requests", verbose_name=_("fault category"), db_index=False)

    # Indexes: every index slows each insert, so foreign keys covered by a composite index below (customer,
    # equipment, province) or only looked up when a referenced row is deleted (rare) get none of their own.
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="requests",
                                 verbose_name=_("customer"), db_index=False)
    site = models.ForeignKey("customers.Site", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="requests", verbose_name=_("site"))
    equipment = models.ForeignKey("customers.Equipment", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="requests", verbose_name=_("equipment"), db_index=False)
    product_model = models.ForeignKey("customers.ProductModel", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="requests", verbose_name=_("model"), db_index=False)
    contact = models.ForeignKey("customers.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="requests", verbose_name=_("contact"), db_index=False)
    contact_name = models.CharField(_("contact name"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    # Copied from the site when the request is created or moved, for region filters and regional scoping.
    province = models.ForeignKey("core.Region", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("province"), db_index=False)
    city = models.ForeignKey("core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("city"))

    summary = models.CharField(_("summary"), max_length=200)
    symptom = models.TextField(_("symptom"), blank=True)
    usage_scenario = models.TextField(_("usage scenario"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("recorded by"), db_index=False)
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["-created_at"], name="sr_created_idx"),
            models.Index(fields=["state", "-created_at"], name="sr_state_created_idx"),
            models.Index(fields=["severity", "state", "-created_at"], name="sr_severity_idx"),
            models.Index(fields=["type", "-created_at"], name="sr_type_idx"),
            models.Index(fields=["customer", "-created_at"], name="sr_customer_idx"),
            models.Index(fields=["province", "state", "-created_at"], name="sr_province_idx"),
            # The request list filtered by province, severity and state (the dispatcher's usual filter): its page
            # in list order and its capped count from the index alone, instead of visiting every request of the
            # province in that state (47,000 heap rows for "closed in Hubei" at 1M requests).
            models.Index(fields=["province", "severity", "state", "-created_at", "-id"], name="sr_province_sev_idx"),
            models.Index(fields=["equipment", "-created_at"], name="sr_equipment_idx"),
            models.Index(fields=["-updated_at"], name="sr_updated_idx"),
            models.Index(fields=["-resolved_at"], name="sr_resolved_idx"),
            # Dashboards: the open urgent/important queue in its display order, and reopened requests by last
            # change. Partial, so each holds only the few percent of rows it serves.
            models.Index(fields=["-severity", "created_at", "id"], name="sr_open_queue_idx",
                         condition=models.Q(state__in=sorted(s.value for s in OPEN_STATES))),
            # Dashboards: open requests counted by state and severity, everywhere or in one province.
            models.Index(fields=["province", "state", "severity"], name="sr_open_counts_idx",
                         condition=models.Q(state__in=sorted(s.value for s in OPEN_STATES))),
            models.Index(fields=["-updated_at"], name="sr_reopened_idx", condition=models.Q(reopen_count__gt=0)),
        ]

    def __str__(self) -> str:
        return self.number
