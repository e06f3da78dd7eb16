"""Forms of the service desk screens: they parse and check input; the services decide and write."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Skill
from aftersales.core.forms import DayField, MomentField
from aftersales.core.models import Region, regions_by_id
from aftersales.customers import selectors as customer_selectors
from aftersales.customers.models import Contact, Customer, Equipment, ProductModel, Site

from .choices import Channel, RequestState, RequestType, Severity
from .models import FaultCategory
from .selectors import DEFAULT_SORT, possible_duplicates

TEXT_MAX = getattr(settings, "AFTERSALES_MAX_TEXT_CHARS", 20_000)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class VersionedForm(forms.Form):
    """A form that acts on a versioned record: carries the version the user saw, so a stale write is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# ---------------------------------------------------------------------------------------------------------------
# Intake


class IntakeForm(forms.Form):
    """A new service request as the hotline agent records it; ids are resolved through the agent's scoped reads."""

    customer = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": _("Find and choose the customer first."),
    })
    site = forms.IntegerField(required=False, widget=forms.HiddenInput)
    equipment = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_problem = forms.BooleanField(label=_("This is a new problem, not one of the open requests above"),
                                     required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE)
    type = forms.ChoiceField(label=_("Type"), choices=RequestType.choices, initial=RequestType.REPAIR)
    summary = forms.CharField(label=_("Summary"), max_length=200,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}))
    symptom = forms.CharField(label=_("Symptom"), required=False, max_length=TEXT_MAX, widget=_textarea(4))
    usage_scenario = forms.CharField(label=_("Usage scenario"), required=False, max_length=TEXT_MAX,
                                     widget=_textarea(2))
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=60)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=32,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))
    product_model = forms.ModelChoiceField(label=_("Model (when no unit is known)"), required=False,
                                           queryset=ProductModel.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["product_model"].queryset = customer_selectors.product_models_for(user)
        self.duplicates: list[Any] = []

    def _scoped(self, qs: Any, pk: int | None, customer: Customer | None, field: str) -> Any:
        if not pk:
            return None
        obj = qs.filter(pk=pk).first()
        if obj is None or (customer is not None and obj.customer_id != customer.pk):
            self.add_error(field, _("This choice is not available; search again."))
            return None
        return obj

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        customer: Customer | None = None
        if data.get("customer"):
            customer = customer_selectors.customers_for(self.user).filter(pk=data["customer"]).first()
            if customer is None:
                self.add_error("customer", _("This choice is not available; search again."))
        data["customer_obj"] = customer
        site: Site | None = self._scoped(customer_selectors.sites_for(self.user), data.get("site"), customer, "site")
        equipment: Equipment | None = self._scoped(customer_selectors.equipment_for(self.user), data.get("equipment"),
                                                   customer, "equipment")
        contact: Contact | None = self._scoped(customer_selectors.contacts_for(self.user), data.get("contact"),
                                               customer, "contact")
        data.update(site_obj=site, equipment_obj=equipment, contact_obj=contact)
        if equipment is not None:
            self.duplicates = list(possible_duplicates(self.user, equipment_id=equipment.pk)[:10])
            if self.duplicates and not data.get("new_problem"):
                self.add_error("new_problem", _("Open requests exist on this unit. Open one of them, or tick "
                                                "“this is a new problem” to record another request."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of `services.request_create` from the cleaned form."""
        d = self.cleaned_data
        return {
            "customer": d["customer_obj"], "site": d["site_obj"], "equipment": d["equipment_obj"],
            "contact": d["contact_obj"], "product_model": d.get("product_model"), "channel": d["channel"],
            "type": d["type"], "summary": d["summary"], "symptom": d["symptom"],
            "usage_scenario": d["usage_scenario"], "contact_name": d["contact_name"],
            "contact_phone": d["contact_phone"],
        }


# ---------------------------------------------------------------------------------------------------------------
# Request list


SORT_LABELS = {
    "-created": _("Newest first"),
    "created": _("Oldest first"),
    "-updated": _("Recently changed"),
    "updated": _("Least recently changed"),
    "-number": _("Number, descending"),
    "number": _("Number, ascending"),
    "breach": _("Breaches soonest"),
}
CLOCK_LABELS = [("", _("Any")), ("at_risk", _("At risk")), ("breached", _("Breached"))]


class RequestFilterForm(forms.Form):
    """The filters of the request list; every key maps to an allowlisted selector argument."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": _("Number or summary"), "type": "search"}))
    state = forms.MultipleChoiceField(label=_("State"), required=False, choices=RequestState.choices,
                                      widget=forms.SelectMultiple(attrs={"size": 3}))
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("Any"))] + list(Severity.choices))
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any"))] + list(RequestType.choices))
    province = forms.TypedChoiceField(label=_("Province"), required=False, coerce=int, empty_value=None)
    assignee = forms.ModelChoiceField(label=_("Engineer"), required=False, queryset=None,
                                      empty_label=_("Any"))
    created_from = DayField(label=_("Created from"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    created_to = DayField(label=_("Created to"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    open_only = forms.BooleanField(label=_("Open only"), required=False)
    clock = forms.ChoiceField(label=_("Time limits"), required=False, choices=CLOCK_LABELS)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=list(SORT_LABELS.items()))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from aftersales.fieldservice.selectors import engineers

        # Provinces from the per-process region cache (reference data): no query to list or to validate them.
        provinces = sorted((r for r in regions_by_id().values() if r.kind == Region.Kind.PROVINCE),
                           key=lambda r: r.code)
        if getattr(user, "role", "") == "lead":
            provinces = [r for r in provinces if r.pk == user.region_id]
        self.fields["province"].choices = [("", _("Any"))] + [(r.pk, str(r)) for r in provinces]
        # Only what an option's label needs: 60 engineers with every column (password, dates) cost ~1 ms a page.
        self.fields["assignee"].queryset = (engineers().only("id", *get_user_model().LABEL_FIELDS)
                                            .order_by("display_name", "username"))

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `selectors.request_list`; an invalid filter is dropped, the valid ones still apply."""
        d: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # runs the checks; cleaned_data then holds the fields that passed
            d = self.cleaned_data
        return {
            "q": d.get("q") or "",
            "state": d.get("state") or None,
            "severity": [d["severity"]] if d.get("severity") else None,
            "type": [d["type"]] if d.get("type") else None,
            "province": d.get("province") or None,
            "assignee": d["assignee"].pk if d.get("assignee") else None,
            "created_from": d.get("created_from"),
            "created_to": d.get("created_to"),
            "open_only": bool(d.get("open_only")),
            "clock": d.get("clock") or "",
            "sort": d.get("sort") or DEFAULT_SORT,
        }


# ---------------------------------------------------------------------------------------------------------------
# Request page: edit and state actions


class RequestEditForm(VersionedForm):
    """Correct what was recorded at intake."""

    summary = forms.CharField(label=_("Summary"), max_length=200)
    symptom = forms.CharField(label=_("Symptom"), required=False, max_length=TEXT_MAX, widget=_textarea(4))
    usage_scenario = forms.CharField(label=_("Usage scenario"), required=False, max_length=TEXT_MAX,
                                     widget=_textarea(2))
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=60)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=32)


# Per-process cache of the category paths per language: the tree is small reference data that every request page
# and triage form shows. A change made in this process clears it at once (model signals); other processes see it
# within CATEGORY_CACHE_SECONDS. Choosing a category still checks the database (`TriageForm.clean_fault_category`).
CATEGORY_CACHE_SECONDS = 30.0
_CATEGORY_CHOICES: dict[str, tuple[float, list[tuple[str, str]]]] = {}


def forget_fault_categories(**kwargs: Any) -> None:
    _CATEGORY_CHOICES.clear()


post_save.connect(forget_fault_categories, sender=FaultCategory, dispatch_uid="fault-category-choices-save")
post_delete.connect(forget_fault_categories, sender=FaultCategory, dispatch_uid="fault-category-choices-delete")


def fault_category_choices() -> list[tuple[str, str]]:
    """Active fault categories as paths (Refrigeration › Compressor › Overheating), sorted; one query per process
    and language every CATEGORY_CACHE_SECONDS. Callers get a copy."""
    language = translation.get_language() or ""
    now = time.monotonic()
    cached = _CATEGORY_CHOICES.get(language)
    if cached is None or now - cached[0] > CATEGORY_CACHE_SECONDS:
        cached = (now, _category_paths(language == "en"))
        _CATEGORY_CHOICES[language] = cached
    return list(cached[1])


def _category_paths(english: bool) -> list[tuple[str, str]]:
    nodes = {c.pk: c for c in FaultCategory.objects.all()}

    def name(node: FaultCategory) -> str:
        return (node.name_en or node.name) if english else node.name

    def path(node: FaultCategory) -> str:
        names, seen = [], 0
        current: FaultCategory | None = node
        while current is not None and seen < 10:
            names.append(name(current))
            current, seen = nodes.get(current.parent_id) if current.parent_id else None, seen + 1
        return " › ".join(reversed(names))

    choices = [(str(c.pk), path(c)) for c in nodes.values() if c.is_active]
    return sorted(choices, key=lambda pair: pair[1])


class TriageForm(VersionedForm):
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "—")] + list(Severity.choices))
    fault_category = forms.TypedChoiceField(label=_("Fault category"), required=False, coerce=int, empty_value=None)
    reason = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fault_category"].choices = [("", "—")] + fault_category_choices()

    def clean_fault_category(self) -> FaultCategory | None:
        pk = self.cleaned_data.get("fault_category")
        return FaultCategory.objects.filter(pk=pk, is_active=True).first() if pk else None


class ReasonForm(VersionedForm):
    """Wait on customer, cancel, reopen: the service insists on a reason and says so in the user's language."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000, widget=_textarea(2))


class OptionalNoteForm(VersionedForm):
    """Resume, close: a note is welcome but not needed."""

    reason = forms.CharField(label=_("Note"), required=False, max_length=1000)


class ResolveForm(VersionedForm):
    resolution = forms.CharField(label=_("Resolution"), required=False, max_length=TEXT_MAX, widget=_textarea(3))


ACTION_FORMS: dict[str, type[VersionedForm]] = {
    "triage": TriageForm,
    "wait": ReasonForm,
    "resume": OptionalNoteForm,
    "resolve": ResolveForm,
    "close": OptionalNoteForm,
    "cancel": ReasonForm,
    "reopen": ReasonForm,
}


class WorkOrderCreateForm(forms.Form):
    """A dispatcher's new work order for this request; assignment happens on the next screen."""

    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=TEXT_MAX, widget=_textarea(2))
    required_skill = forms.ModelChoiceField(label=_("Skill needed"), required=False, queryset=Skill.objects.all(),
                                            empty_label="—")
    appointment_start = MomentField(label=_("Appointment from"), required=False,
                                            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    appointment_end = MomentField(label=_("Appointment until"), required=False,
                                          widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start: dt.datetime | None = data.get("appointment_start")
        end: dt.datetime | None = data.get("appointment_end")
        if start and end and end < start:
            self.add_error("appointment_end", _("The appointment must end after it starts."))
        return data
