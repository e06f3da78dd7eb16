"""Forms of the contract screens; labels and errors in the user's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import DayField
from aftersales.core.money import CURRENCIES
from aftersales.customers.models import Equipment

from .choices import ServiceClass

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.product_model.code} #{obj.serial} · {obj.site.name}{' · ' + obj.location if obj.location else ''}"


class ContractForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    title = forms.CharField(label=_("title"), max_length=160)
    start_date = DayField(label=_("starts"), widget=DATE)
    end_date = DayField(label=_("ends"), widget=DATE)
    equipment = UnitChoices(label=_("covered equipment"), queryset=Equipment.objects.none(), required=False,
                            widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
                            help_text=_("Only this customer's units can be covered."))
    included_visits_per_year = forms.IntegerField(label=_("included visits per year"), min_value=0, max_value=365,
                                                  initial=4)
    response_hours = forms.IntegerField(label=_("on-site within (working hours)"), min_value=1, max_value=720,
                                        required=False,
                                        help_text=_("The response commitment; it feeds the SLA policy of requests "
                                                    "on covered equipment."))
    resolution_hours = forms.IntegerField(label=_("resolved within (working hours)"), min_value=1, max_value=720,
                                          required=False)
    covers_labour = forms.BooleanField(label=_("covers labour"), required=False, initial=True)
    covers_parts = forms.BooleanField(label=_("covers parts"), required=False)
    covers_travel = forms.BooleanField(label=_("covers travel"), required=False, initial=True)
    price = forms.DecimalField(label=_("price"), min_value=Decimal("0"), max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=_("currency"), choices=[(c, c) for c in CURRENCIES], initial="CNY")
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            max_length=5000)

    def __init__(self, *args: Any, customer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = (Equipment.objects.filter(customer=customer)
                                             .select_related("product_model", "site").order_by("site_id", "serial"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The contract must end on or after the day it starts."))
        return data

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("version", "equipment")}


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("reason for termination"), max_length=300)


class ServiceClassForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    service_class = forms.ChoiceField(label=_("service class"), choices=ServiceClass.choices)
    reason = forms.CharField(label=_("reason"), max_length=240)
