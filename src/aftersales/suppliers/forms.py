"""The supplier form (plain, so the service sees the record as it was)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class SupplierForm(forms.Form):
    code = forms.CharField(label=_("supplier code"), max_length=30)
    name = forms.CharField(label=_("name"), max_length=120)
    contact_name = forms.CharField(label=_("contact"), max_length=60, required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    address = forms.CharField(label=_("address"), max_length=240, required=False)
    repairs_items = forms.BooleanField(label=_("repairs returned items"), required=False,
                                       help_text=_("An RMA vendor: returned items can be shipped to it."))
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}
