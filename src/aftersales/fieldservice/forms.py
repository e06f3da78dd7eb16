"""Forms of the dispatch and field-work screens. They only parse and check input; the services decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import DayField, MomentField

from .choices import VisitOutcome

TEXT_LIMIT = getattr(settings, "AFTERSALES_MAX_TEXT_CHARS", 20_000)
MAX_PART_LINES = 50


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date-and-time picker (phones show a wheel); the value is in the user's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _datetime_field(label: Any) -> forms.DateTimeField:
    return MomentField(label=label, required=False, widget=DateTimeLocalInput(),
                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class BoardDayForm(forms.Form):
    """The day shown on the dispatch board; today in the user's time zone when absent or invalid."""

    day = DayField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def chosen_day(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("day"):
            return self.cleaned_data["day"]
        return timezone.localdate()


class EngineerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "name", None) or obj)


class AppointmentMixin(forms.Form):
    appointment_start = _datetime_field(_("Appointment from"))
    appointment_end = _datetime_field(_("Appointment until"))
    appointment_note = forms.CharField(label=_("Agreed with"), required=False, max_length=120,
                                       help_text=_("Who at the customer agreed the time, e.g. Mr Zhang by phone."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("appointment_start"), data.get("appointment_end")
        if end and not start:
            self.add_error("appointment_start", _("Give the start of the appointment too."))
        if start and end and end < start:
            self.add_error("appointment_end", _("The appointment must end after it starts."))
        return data


class AssignForm(AppointmentMixin):
    """The dispatcher gives an unassigned work order to one of the ranked engineers."""

    engineer = EngineerChoiceField(label=_("Engineer"), queryset=None, empty_label=None,
                                   widget=forms.RadioSelect)
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = ["engineer", "appointment_start", "appointment_end", "appointment_note", "version"]

    def __init__(self, *args: Any, engineers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = engineers


class ReassignForm(forms.Form):
    """Move an assigned work order to another engineer, saying why."""

    engineer = EngineerChoiceField(label=_("New engineer"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, engineers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = engineers


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeclineForm(forms.Form):
    """An engineer cannot take the work; the reason goes back to the dispatcher."""

    reason = forms.CharField(label=_("Reason for declining"), max_length=300,
                             error_messages={"required": _("Say why you decline, so the dispatcher can plan.")})


class ArriveForm(forms.Form):
    """Arrival on site; the browser's position is optional evidence."""

    latitude = forms.DecimalField(required=False, min_value=-90, max_value=90, max_digits=12, decimal_places=8,
                                  widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180, max_digits=12, decimal_places=8,
                                   widget=forms.HiddenInput)

    def position(self) -> tuple[Decimal | None, Decimal | None]:
        lat, lng = self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")
        if lat is None or lng is None:
            return None, None
        return lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001"))


class VisitForm(forms.Form):
    """What the engineer found and did; parts arrive as repeated rows (part_description/quantity/unit)."""

    diagnosis = forms.CharField(label=_("Diagnosis"), required=False, max_length=TEXT_LIMIT,
                                widget=forms.Textarea(attrs={"rows": 3}))
    fault_cause = forms.CharField(label=_("Fault cause"), required=False, max_length=TEXT_LIMIT,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    actions_taken = forms.CharField(label=_("Actions taken"), required=False, max_length=TEXT_LIMIT,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, widget=forms.RadioSelect,
                                choices=VisitOutcome.choices)
    takeback_item = forms.CharField(label=_("Item taken back"), required=False, max_length=120)
    takeback_serial = forms.CharField(label=_("Serial of item taken back"), required=False, max_length=60)
    takeback_condition = forms.CharField(label=_("Condition and accessories"), required=False, max_length=240)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts: list[dict[str, Any]] = []
        self.part_rows: list[dict[str, str]] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == VisitOutcome.TAKEN_BACK and not data.get("takeback_item"):
            self.add_error("takeback_item", _("Say which item was taken back."))
        if self.data is not None and hasattr(self.data, "getlist"):
            self._clean_parts()
        return data

    def _clean_parts(self) -> None:
        descriptions = self.data.getlist("part_description")
        quantities = self.data.getlist("part_quantity")
        units = self.data.getlist("part_unit")
        rows = []
        for i, description in enumerate(descriptions[:MAX_PART_LINES + 1]):
            quantity = quantities[i] if i < len(quantities) else ""
            unit = units[i] if i < len(units) else ""
            rows.append({"description": description.strip(), "quantity": quantity.strip(), "unit": unit.strip()})
        self.part_rows = [r for r in rows if r["description"] or r["quantity"]]
        if len(self.part_rows) > MAX_PART_LINES:
            raise forms.ValidationError(_("At most %(n)d part lines.") % {"n": MAX_PART_LINES})
        parts = []
        for row in self.part_rows:
            try:
                quantity = Decimal(row["quantity"].replace(",", "."))
            except InvalidOperation:
                quantity = Decimal(0)
            if not row["description"] or not quantity.is_finite() or quantity <= 0 or quantity >= Decimal(10) ** 8:
                raise forms.ValidationError(
                    _("Each part line needs a description and a quantity greater than zero."))
            parts.append({"description": row["description"][:120], "quantity": quantity.quantize(Decimal("0.01")),
                          "unit": row["unit"][:12] or "pcs"})
        self.parts = parts

    def visit_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("outcome") != VisitOutcome.TAKEN_BACK:
            data.update(takeback_item="", takeback_serial="", takeback_condition="")
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one go; each is checked by content in the upload service."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PhotoForm(forms.Form):
    photos = MultipleImageField(
        label=_("Photos"),
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True}),
        error_messages={"required": _("Choose or take at least one photo.")},
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=120)

    def clean_photos(self) -> list[Any]:
        photos = self.cleaned_data.get("photos") or []
        if not photos:
            raise forms.ValidationError(_("Choose or take at least one photo."))
        if len(photos) > 10:
            raise forms.ValidationError(_("At most 10 photos at a time."))
        return photos


class SignatureForm(forms.Form):
    """The customer signs the service receipt card on the engineer's screen."""

    signer_name = forms.CharField(label=_("Name of the person signing"), max_length=60)
    customer_comment = forms.CharField(label=_("Customer comment (optional)"), required=False, max_length=2000,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    signature = forms.CharField(widget=forms.HiddenInput, max_length=2 * 1024 * 1024,
                                error_messages={"required": _("The customer has not signed yet.")})

    def clean_signature(self) -> str:
        value = self.cleaned_data["signature"]
        if not value.startswith("data:image/png;base64,"):
            raise forms.ValidationError(_("The signature could not be read. Clear it and sign again."))
        return value
