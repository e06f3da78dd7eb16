"""Suppliers of parts and the vendors that repair returned items (C7, C8; supplier quality in C23 builds on it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import VersionedModel


class Supplier(VersionedModel):
    code = models.CharField(_("supplier code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=240, blank=True)
    repairs_items = models.BooleanField(_("repairs returned items"), default=False,
                                        help_text=_("An RMA vendor: returned items can be shipped to it."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name
