"""Forms of the billing screens. They only parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.contracts.choices import ServiceClass
from aftersales.core.forms import DayField
from aftersales.core.views import positive_int

from .choices import BillState, ChargeKind, PaymentMethod, PaymentStatus
from .models import CompanyAccount

MAX_LINES = 100


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class BillFilterForm(forms.Form):
    payment_status = forms.ChoiceField(label=_("Payment"), required=False,
                                       choices=_blank(PaymentStatus.choices, _("Any payment status")))
    service_class = forms.ChoiceField(label=_("Service class"), required=False,
                                      choices=_blank([(c, lbl) for c, lbl in ServiceClass.choices if c in "AB"],
                                                     _("Any class")))
    state = forms.ChoiceField(label=_("State"), required=False, choices=_blank(BillState.choices, _("Any state")))
    q = forms.CharField(label=_("Customer or number"), required=False, max_length=80)

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class LinesForm:
    """The editable lines of a draft bill or quote, posted as parallel lists (one row per line)."""

    def __init__(self, data: Any) -> None:
        self.rows: list[dict[str, Any]] = []
        self.errors: list[str] = []
        kinds = data.getlist("line_kind")
        fields = {name: data.getlist(f"line_{name}") for name in ("description", "quantity", "unit_price",
                                                                    "covered", "part")}
        for i, kind in enumerate(kinds[:MAX_LINES]):
            row = {name: (values[i] if i < len(values) else "") for name, values in fields.items()}
            row["kind"] = kind
            if not (row["description"] or "").strip() and not row["unit_price"]:
                continue  # an empty added row
            self.rows.append(row)

    def lines(self) -> list[dict[str, Any]]:
        from aftersales.inventory.models import Part

        specs = []
        for row in self.rows:
            try:
                price = Decimal(str(row["unit_price"]).strip().replace(",", "")) if row["unit_price"] != "" else None
            except InvalidOperation:
                price = "invalid"
            part = None
            if positive_int(row["part"]):
                part = Part.objects.filter(pk=positive_int(row["part"])).first()
            specs.append({"kind": row["kind"], "description": row["description"], "quantity": row["quantity"],
                          "unit_price": price, "covered": row["covered"] == "1", "part": part,
                          "price_pending": price is None and row["kind"] == ChargeKind.PARTS})
        return specs


class PayForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Paid into"), queryset=CompanyAccount.objects.filter(active=True))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices,
                               help_text=_("Cash is handed to finance and deposited to a company bank account."))
    amount = forms.DecimalField(label=_("Amount received"), max_digits=14, decimal_places=2)
    reference = forms.CharField(label=_("Reference"), max_length=80,
                                help_text=_("Bank transaction, QR order, POS voucher or deposit slip number."))
    received_on = DayField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for waiving"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))


class QuoteForm(forms.Form):
    hours = forms.DecimalField(label=_("Estimated hours"), min_value=Decimal("0.5"), max_value=Decimal("1000"),
                               max_digits=6, decimal_places=2, initial=Decimal("1"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PhoneApprovalForm(forms.Form):
    approver_name = forms.CharField(label=_("Who approved"), max_length=60)
    approver_phone = forms.CharField(label=_("Phone number"), required=False, max_length=32)
    note = forms.CharField(label=_("What was agreed"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SignatureApprovalForm(forms.Form):
    approver_name = forms.CharField(label=_("Name of the person signing"), max_length=60)
    signature = forms.CharField(widget=forms.HiddenInput, max_length=2 * 1024 * 1024,
                                error_messages={"required": _("The customer has not signed yet.")})


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
