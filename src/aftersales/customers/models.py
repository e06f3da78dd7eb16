"""Customers, their sites and contacts, product models and the equipment units installed at the sites."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import TimeStampedModel, VersionedModel

from .choices import CustomerKind, ImportKind, ImportState, WarrantyStatus


class Customer(VersionedModel):
    """A company or a person we serve."""

    kind = models.CharField(_("kind"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.COMPANY)
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("customer code"), max_length=30, unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans",
                                choices=[("zh-hans", "简体中文"), ("en", "English")])
    notes = models.TextField(_("notes"), blank=True)
    # Search keys kept in step with the name by the service: pinyin initials ("whzc" for 武汉卓成), digits of phones.
    search_initials = models.CharField(max_length=60, blank=True, db_index=True)
    search_pinyin = models.CharField(max_length=240, blank=True)
    phone_digits = models.CharField(max_length=20, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["name"], name="customer_name_idx")]

    def __str__(self) -> str:
        return self.name


class Site(VersionedModel):
    """A place where a customer has equipment: an office tower, a plant room, a depot."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sites", verbose_name=_("customer"))
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=240)
    city = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    province = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("province"))

    class Meta:
        ordering = ["customer_id", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Contact(VersionedModel):
    """A person we talk to at a customer."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts",
                                 verbose_name=_("customer"))
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts",
                             verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=32)
    phone_digits = models.CharField(max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class ProductModel(VersionedModel):
    """A model of product we sell and service, e.g. a screw chiller or a diesel engine type."""

    code = models.CharField(_("model code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=60, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=80, blank=True)
    warranty_months = models.PositiveSmallIntegerField(_("default warranty (months)"), default=12)
    skills = models.ManyToManyField("accounts.Skill", blank=True, related_name="product_models",
                                    verbose_name=_("skills needed"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("product model")
        verbose_name_plural = _("product models")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Equipment(VersionedModel):
    """One installed unit, identified by its model and serial number."""

    product_model = models.ForeignKey(ProductModel, on_delete=models.PROTECT, related_name="units",
                                      verbose_name=_("model"))
    serial = models.CharField(_("serial number"), max_length=60)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="equipment",
                                 verbose_name=_("customer"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="equipment", verbose_name=_("site"))
    location = models.CharField(_("location at site"), max_length=120, blank=True)
    install_date = models.DateField(_("installed"), null=True, blank=True)
    commissioning_date = models.DateField(_("commissioned"), null=True, blank=True)
    warranty_start = models.DateField(_("warranty from"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty until"), null=True, blank=True)
    production_batch = models.CharField(_("production batch"), max_length=40, blank=True)

    class Meta:
        ordering = ["serial"]
        verbose_name = _("equipment unit")
        verbose_name_plural = _("equipment")
        constraints = [
            models.UniqueConstraint(fields=["product_model", "serial"], name="equipment_serial_unique_per_model"),
            models.CheckConstraint(
                condition=models.Q(warranty_end__isnull=True) | models.Q(warranty_start__isnull=True)
                | models.Q(warranty_end__gte=models.F("warranty_start")),
                name="equipment_warranty_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["serial"], name="equipment_serial_idx"),
                   models.Index(fields=["product_model", "production_batch"], name="equipment_batch_idx")]

    def __str__(self) -> str:
        return f"{self.product_model.code} #{self.serial}" if self.product_model_id else self.serial

    def warranty_status(self, on: dt.date | None = None) -> str:
        if not self.warranty_end:
            return WarrantyStatus.UNKNOWN
        on = on or timezone.localdate()
        if self.warranty_start and on < self.warranty_start:
            return WarrantyStatus.UNKNOWN
        return WarrantyStatus.IN_WARRANTY if on <= self.warranty_end else WarrantyStatus.EXPIRED

    def get_warranty_status_display(self) -> str:
        return str(WarrantyStatus(self.warranty_status()).label)


class ImportBatch(TimeStampedModel):
    """An uploaded CSV/XLSX file checked row by row; nothing is written until the user confirms the valid rows."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    state = models.CharField(_("state"), max_length=12, choices=ImportState.choices, default=ImportState.PREVIEW)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    valid_rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    total_rows = models.PositiveIntegerField(default=0)
    applied_rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"
