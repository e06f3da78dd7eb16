"""Forms of the spare-parts screens. They parse and check input; the services decide (quantities are checked by
the ledger, so a bad one comes back as the same error whichever screen or API sent it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import DayField
from aftersales.core.models import Region
from aftersales.customers.models import ProductModel
from aftersales.suppliers.models import Supplier

from .choices import LocationKind, MoveKind
from .models import Part, StockLocation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QTY_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class PartForm(VersionedForm):
    number = forms.CharField(label=_("part number"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    unit = forms.CharField(label=_("unit"), max_length=12, initial="pcs",
                           help_text=_("pcs, kg, m, L, set…"))
    compatible_models = forms.ModelMultipleChoiceField(
        label=_("compatible models"), queryset=ProductModel.objects.order_by("code"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}))
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=Supplier.objects.filter(is_active=True),
                                      required=False)
    list_price = forms.DecimalField(label=_("catalogue price"), min_value=0, max_digits=14, decimal_places=2)
    cost_price = forms.DecimalField(label=_("cost price"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.ChoiceField(label=_("currency"), choices=[("CNY", "CNY"), ("USD", "USD"), ("EUR", "EUR")],
                                 initial="CNY")
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


class EngineerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "display_name", "") or obj)


class LocationForm(VersionedForm):
    code = forms.CharField(label=_("location code"), max_length=30)
    name = forms.CharField(label=_("name"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=LocationKind.choices)
    region = forms.ModelChoiceField(label=_("region"), required=False,
                                    queryset=Region.objects.filter(kind=Region.Kind.CITY).order_by("code"))
    engineer = EngineerField(label=_("engineer"), required=False,
                             queryset=get_user_model().objects.filter(role="engineer", is_active=True)
                             .order_by("username"), help_text=_("For a van: the engineer who drives it."))
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


class PartByNumberField(forms.CharField):
    """A part typed by its number (the storekeeper reads it off the label)."""

    def clean(self, value: Any) -> Part | None:
        value = super().clean(value)
        if not value:
            return None
        part = Part.objects.filter(number__iexact=value.strip()).first()
        if part is None:
            raise forms.ValidationError(_("There is no such part in the catalogue."), code="unknown_part")
        return part


class LocationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


def _locations() -> Any:
    return StockLocation.objects.filter(is_active=True).order_by("kind", "code")


class MoveForm(forms.Form):
    """One stock move by the storekeeper."""

    kind = forms.ChoiceField(label=_("kind"), choices=[(k, label) for k, label in MoveKind.choices])
    part = PartByNumberField(label=_("part number"), max_length=40)
    quantity = forms.CharField(label=_("quantity"), max_length=20, widget=forms.TextInput(attrs=QTY_ATTRS),
                               help_text=_("For a count adjustment: counted minus recorded, e.g. -2."))
    location = LocationField(label=_("location"), queryset=_locations(),
                             help_text=_("Where the stock leaves (or arrives, for receipts, returns and counts)."))
    target = LocationField(label=_("to location"), queryset=_locations(), required=False,
                           help_text=_("Transfers only."))
    reference = forms.CharField(label=_("reference"), max_length=60, required=False,
                                help_text=_("A purchase request number (PR-…), an RMA or a delivery note."))
    work_order = forms.CharField(label=_("work order"), max_length=24, required=False)
    from_reservation = forms.BooleanField(label=_("from the reservation"), required=False,
                                          help_text=_("Issue only: hand over units reserved earlier."))
    reason = forms.CharField(label=_("reason"), max_length=240, required=False)

    def clean_work_order(self) -> Any:
        from aftersales.fieldservice.models import WorkOrder

        number = (self.cleaned_data.get("work_order") or "").strip()
        if not number:
            return None
        wo = WorkOrder.objects.filter(number__iexact=number).first()
        if wo is None:
            raise forms.ValidationError(_("There is no work order with this number."))
        return wo


class ReorderPointForm(forms.Form):
    part = PartByNumberField(label=_("part number"), max_length=40)
    min_level = forms.DecimalField(label=_("minimum level"), min_value=0, max_digits=14, decimal_places=2)
    reorder_quantity = forms.DecimalField(label=_("reorder quantity"), min_value=0, max_digits=14, decimal_places=2)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


class MoveFilterForm(forms.Form):
    part = forms.CharField(label=_("part number"), max_length=40, required=False)
    location = LocationField(label=_("location"), queryset=StockLocation.objects.order_by("code"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *MoveKind.choices], required=False)
    work_order = forms.CharField(label=_("work order"), max_length=24, required=False)
    date_from = DayField(label=_("from"), required=False, widget=DATE)
    date_to = DayField(label=_("until"), required=False, widget=DATE)


class PurchaseCreateForm(forms.Form):
    part = PartByNumberField(label=_("part number"), max_length=40)
    location = LocationField(label=_("deliver to"), queryset=_locations())
    quantity = forms.DecimalField(label=_("quantity"), min_value=0, max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("reason"), max_length=240, required=False)


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=Supplier.objects.filter(is_active=True))
    expected_on = DayField(label=_("expected on"), required=False, widget=DATE)
    quantity = forms.DecimalField(label=_("quantity"), required=False, min_value=0, max_digits=14, decimal_places=2)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PurchaseReceiveForm(forms.Form):
    quantity = forms.CharField(label=_("quantity received"), max_length=20, widget=forms.TextInput(attrs=QTY_ATTRS))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=240)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UsePartForm(forms.Form):
    """A catalogue part used on a visit: which part, how many, and from where (default: the engineer's van)."""

    part = forms.IntegerField(label=_("part"), min_value=1, max_value=2**53, error_messages={
        "required": _("Choose the part you used.")})
    quantity = forms.CharField(label=_("quantity"), max_length=20, initial="1",
                               widget=forms.TextInput(attrs=QTY_ATTRS))
    location = forms.IntegerField(label=_("taken from"), required=False, min_value=1, max_value=2**53)
