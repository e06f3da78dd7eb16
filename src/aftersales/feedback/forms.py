"""Forms of the callback and complaint screens: they parse and check input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import COMPLAINT_MACHINE, CallbackMethod, CallbackResult

SATISFACTION_CHOICES = [
    (5, _("5 · very satisfied")),
    (4, _("4 · satisfied")),
    (3, _("3 · neutral")),
    (2, _("2 · dissatisfied")),
    (1, _("1 · very dissatisfied")),
]


class CallbackRecordForm(forms.Form):
    """The result of one call (or visit, or questionnaire) to the customer."""

    method = forms.ChoiceField(label=_("Method"), choices=CallbackMethod.choices, initial=CallbackMethod.PHONE,
                               widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("Result"), choices=CallbackResult.choices, widget=forms.RadioSelect)
    satisfaction = forms.TypedChoiceField(label=_("Satisfaction"), choices=SATISFACTION_CHOICES, coerce=int,
                                          required=False, empty_value=None, widget=forms.RadioSelect,
                                          help_text=_("Required when the customer was reached."))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("result") == CallbackResult.REACHED and not data.get("satisfaction"):
            self.add_error("satisfaction", _("Choose how satisfied the customer is (1 to 5)."))
        if data.get("result") == CallbackResult.UNREACHABLE:
            data["satisfaction"] = None
        return data


class ComplaintActionForm(forms.Form):
    """One step of a complaint: investigate, answer (with the answer text), close or reopen."""

    action = forms.ChoiceField(choices=[(a, t.label) for a, t in COMPLAINT_MACHINE.transitions.items()])
    answer = forms.CharField(label=_("Answer to the customer"), required=False,
                             max_length=settings.AFTERSALES_MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label=_("Note"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "answer" and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Write the answer to the customer."))
        return data


class ComplaintOpenForm(forms.Form):
    """A complaint a manager records by hand (a letter, a call to the head office) for a customer."""

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=None, widget=forms.HiddenInput,  # type: ignore[arg-type]
                                      error_messages={"required": _("Choose the customer."),
                                                      "invalid_choice": _("Choose the customer.")})
    request = forms.ModelChoiceField(label=_("Service request"), queryset=None, required=False,  # type: ignore[arg-type]
                                     widget=forms.HiddenInput)
    description = forms.CharField(label=_("What the customer complains about"),
                                  max_length=settings.AFTERSALES_MAX_TEXT_CHARS,
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, customers: Any, requests: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["request"].queryset = requests

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        request, customer = data.get("request"), data.get("customer")
        if request is not None and customer is not None and request.customer_id != customer.pk:
            self.add_error("request", _("This service request belongs to another customer."))
        if not (data.get("description") or "").strip():
            self.add_error("description", _("Describe the complaint."))
        return data
