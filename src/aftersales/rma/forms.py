"""Forms of the RMA screens: they parse and check input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import DayField
from aftersales.inventory.models import Part
from aftersales.suppliers.models import Supplier

from .choices import MisuseDecision, RetestResult, RmaKind, ScrapChoice, TestResult

LEFTOVER_ROWS = 3


def part_by_number(number: str) -> Part | None:
    """A catalogue part typed by its number (the catalogue is too large for a drop-down)."""
    return Part.objects.filter(number__iexact=number.strip(), is_active=True).first()


class RegisterForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, widget=forms.HiddenInput,  # type: ignore[arg-type]
                                      error_messages={"required": _("Choose the customer."),
                                                      "invalid_choice": _("Choose the customer.")})
    equipment = forms.ModelChoiceField(label=_("Equipment"), queryset=None, required=False,  # type: ignore[arg-type]
                                       help_text=_("The unit, when known: its serial is used."))
    serial = forms.CharField(label=_("Serial number"), max_length=60, required=False)
    item_description = forms.CharField(label=_("Returned item"), max_length=200)
    fault = forms.CharField(label=_("Fault"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label=_("Kind"), choices=RmaKind.choices, widget=forms.RadioSelect)
    brought_by = forms.CharField(label=_("Brought by"), max_length=60)
    source_work_order = forms.ModelChoiceField(label=_("Source work order"), queryset=None, required=False,  # type: ignore[arg-type]
                                               widget=forms.HiddenInput)

    def __init__(self, *args: Any, customers: Any, equipment: Any, work_orders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["equipment"].queryset = equipment
        self.fields["source_work_order"].queryset = work_orders

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("serial") or "").strip() and not data.get("equipment"):
            self.add_error("serial", _("Enter the serial number or choose the unit."))
        return data


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TestForm(VersionForm):
    result = forms.ChoiceField(label=_("Test result"), choices=TestResult.choices, widget=forms.RadioSelect)
    misuse_decision = forms.ChoiceField(label=_("On misuse, the customer's decision"), required=False,
                                        choices=[("", "—"), *MisuseDecision.choices])
    notes = forms.CharField(label=_("Test notes"), max_length=4000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("result") == TestResult.MISUSE and not data.get("misuse_decision"):
            self.add_error("misuse_decision", _("Record whether the customer accepts a paid repair."))
        return data


class ShipForm(VersionForm):
    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Supplier.objects.filter(
        repairs_items=True, is_active=True).order_by("name"))
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)
    shipped_on = DayField(label=_("Shipped"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shipped_on"].initial = timezone.localdate()
        for i in range(LEFTOVER_ROWS):
            self.fields[f"left_part_{i}"] = forms.CharField(label=_("Leftover part number"), max_length=40,
                                                            required=False)
            self.fields[f"left_desc_{i}"] = forms.CharField(label=_("or described item"), max_length=200,
                                                            required=False)
            self.fields[f"left_qty_{i}"] = forms.DecimalField(label=_("Quantity"), required=False, min_value=0.01,
                                                              max_digits=12, decimal_places=2)

    def leftover_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"left_part_{i}"], self[f"left_desc_{i}"], self[f"left_qty_{i}"])
                for i in range(LEFTOVER_ROWS)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i in range(LEFTOVER_ROWS):
            number = (data.get(f"left_part_{i}") or "").strip()
            if number:
                part = part_by_number(number)
                if part is None:
                    self.add_error(f"left_part_{i}", _("No active part with this number."))
                data[f"left_part_{i}"] = part
            else:
                data[f"left_part_{i}"] = None
        return data

    def leftovers(self) -> list[dict[str, Any]]:
        data, rows = self.cleaned_data, []
        for i in range(LEFTOVER_ROWS):
            part, desc, qty = data.get(f"left_part_{i}"), data.get(f"left_desc_{i}"), data.get(f"left_qty_{i}")
            if part or desc:
                rows.append({"part": part, "description": desc or "", "quantity": qty or 1})
        return rows


class ReceiveForm(VersionForm):
    received_on = DayField(label=_("Received back"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    vendor_report = forms.CharField(label=_("Vendor's report"), max_length=4000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class RetestForm(VersionForm):
    result = forms.ChoiceField(label=_("Retest result"), choices=RetestResult.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Retest notes"), max_length=4000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(VersionForm):
    signer_name = forms.CharField(label=_("Received by (customer)"), max_length=60)
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False)
    signature = forms.CharField(widget=forms.HiddenInput, max_length=2_800_000,
                                error_messages={"required": _("The customer signs in the box.")})


class ScrapForm(VersionForm):
    choice = forms.ChoiceField(label=_("Customer's choice"), choices=ScrapChoice.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False)


class ChaseForm(forms.Form):
    note = forms.CharField(label=_("What the vendor said"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    next_on = DayField(label=_("Next chase on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              help_text=_("Leave empty for the usual interval."))


class NoticeSentForm(forms.Form):
    note = forms.CharField(label=_("How the customer was told"), max_length=200, required=False)


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "test": TestForm, "hand_over": VersionForm, "ship": ShipForm, "receive": ReceiveForm, "retest": RetestForm,
    "return": ReturnForm, "scrap": ScrapForm, "chase": ChaseForm,
}
