"""Forms of the returns and recalls screens: they parse and check input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import ProductModel
from aftersales.inventory.models import Part, StockLocation

from .choices import CompensationKind, Decision, ReturnKind


class ReturnCreateForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, widget=forms.HiddenInput,  # type: ignore[arg-type]
                                      error_messages={"required": _("Choose the customer."),
                                                      "invalid_choice": _("Choose the customer.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=ReturnKind.choices, widget=forms.RadioSelect)
    equipment = forms.ModelChoiceField(label=_("Equipment"), queryset=None, required=False)  # type: ignore[arg-type]
    part = forms.CharField(label=_("Part number"), max_length=40, required=False,
                           help_text=_("The catalogue part that comes back (for stock)."))
    quantity = forms.DecimalField(label=_("Quantity"), initial=1, min_value=0.01, max_digits=12, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    refund_amount = forms.DecimalField(label=_("Refund"), required=False, min_value=0, max_digits=14,
                                       decimal_places=2, help_text=_("Leave empty when there is no refund."))

    def __init__(self, *args: Any, customers: Any, equipment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["equipment"].queryset = equipment

    def clean_part(self) -> Part | None:
        number = (self.cleaned_data.get("part") or "").strip()
        if not number:
            return None
        part = Part.objects.filter(number__iexact=number, is_active=True).first()
        if part is None:
            raise forms.ValidationError(_("No active part with this number."))
        return part

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("equipment") and not data.get("part") and "part" not in self.errors:
            self.add_error("part", _("Choose the equipment or the part that comes back."))
        return data


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Required to reject."))
    step = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    assessor = forms.ModelChoiceField(label=_("Engineer who assesses on site"), required=False,
                                      queryset=get_user_model().objects.filter(role="engineer", is_active=True))
    return_location = forms.ModelChoiceField(label=_("Returned part goes to"), required=False,
                                             queryset=StockLocation.objects.filter(is_active=True).order_by("code"))
    replacement_location = forms.ModelChoiceField(label=_("Replacement comes from"), required=False,
                                                  queryset=StockLocation.objects.filter(is_active=True).order_by(
                                                      "code"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == Decision.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the rejection."))
        return data


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    product_model = forms.ModelChoiceField(label=_("Product model"), queryset=ProductModel.objects.order_by("code"))
    serial_from = forms.CharField(label=_("Serial from"), max_length=60, required=False)
    serial_to = forms.CharField(label=_("Serial to"), max_length=60, required=False)
    production_batch = forms.CharField(label=_("Production batch"), max_length=40, required=False)
    description = forms.CharField(label=_("What to do on each unit"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class CompensationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Compensation"), choices=CompensationKind.choices)
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0.01, max_digits=14, decimal_places=2)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
