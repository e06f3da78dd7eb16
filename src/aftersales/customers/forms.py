"""Forms for customers, sites, contacts, product models, equipment and imports.

Plain forms, not ModelForms: a ModelForm writes into the instance while validating, and the services need the
record as it was to audit the change. Each edit form carries the `version` the user opened, so a save over
somebody else's change is refused (StaleVersion) instead of silently overwriting it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import DayField
from aftersales.core.models import Region

from .choices import CustomerKind, ImportKind
from .models import Customer, ProductModel, Site

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionedForm(forms.Form):
    """A form that edits a record: remembers the version the user started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def values(self) -> dict[str, Any]:
        """The cleaned fields a service takes as `values` (everything but the version)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CustomerForm(VersionedForm):
    kind = forms.ChoiceField(label=_("kind"), choices=CustomerKind.choices, initial=CustomerKind.COMPANY)
    name = forms.CharField(label=_("name"), max_length=120)
    code = forms.CharField(label=_("customer code"), max_length=30, required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    language = forms.ChoiceField(label=_("language"), choices=Customer._meta.get_field("language").choices,
                                 initial="zh-hans")
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            max_length=5000)

    def __init__(self, *args: Any, instance: Customer | None = None, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str | None:
        code = (self.cleaned_data.get("code") or "").strip() or None
        if code:
            clash = Customer.objects.filter(code=code)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("Another customer already has this code."))
        return code


def city_label(city: Region) -> str:
    """'湖北省 · 武汉市' (or the English names when the user reads English and they are known)."""
    english = (get_language() or "").startswith("en")

    def name(region: Region) -> str:
        return region.name_en if english and region.name_en else region.name

    return f"{name(city.parent)} · {name(city)}" if city.parent_id else name(city)


class CityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return city_label(obj)


def city_queryset() -> Any:
    return Region.objects.filter(kind=Region.Kind.CITY).select_related("parent").order_by("parent__code", "code")


class SiteForm(VersionedForm):
    name = forms.CharField(label=_("name"), max_length=120)
    address = forms.CharField(label=_("address"), max_length=240)
    city = CityField(label=_("city"), queryset=Region.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = city_queryset()


class ContactForm(VersionedForm):
    name = forms.CharField(label=_("name"), max_length=60)
    title = forms.CharField(label=_("position"), max_length=60, required=False)
    phone = forms.CharField(label=_("phone"), max_length=32)
    email = forms.EmailField(label=_("email"), required=False)
    site = forms.ModelChoiceField(label=_("site"), queryset=Site.objects.none(), required=False)
    is_primary = forms.BooleanField(label=_("primary contact"), required=False)

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class ProductModelForm(VersionedForm):
    code = forms.CharField(label=_("model code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=120)
    category = forms.CharField(label=_("category"), max_length=60, required=False)
    manufacturer = forms.CharField(label=_("manufacturer"), max_length=80, required=False)
    warranty_months = forms.IntegerField(label=_("default warranty (months)"), min_value=0, max_value=240,
                                         initial=12)

    def __init__(self, *args: Any, instance: ProductModel | None = None, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        clash = ProductModel.objects.filter(code=code)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another product model already has this code."))
        return code


class EquipmentForm(VersionedForm):
    site = forms.ModelChoiceField(label=_("site"), queryset=Site.objects.none())
    product_model = forms.ModelChoiceField(label=_("model"), queryset=ProductModel.objects.none())
    serial = forms.CharField(label=_("serial number"), max_length=60)
    location = forms.CharField(label=_("location at site"), max_length=120, required=False)
    install_date = DayField(label=_("installed"), required=False, widget=DATE)
    commissioning_date = DayField(label=_("commissioned"), required=False, widget=DATE)
    warranty_start = DayField(label=_("warranty from"), required=False, widget=DATE,
                                     help_text=_("Leave both warranty dates empty to use the model's default "
                                                 "period from commissioning."))
    warranty_end = DayField(label=_("warranty until"), required=False, widget=DATE)

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["product_model"].queryset = ProductModel.objects.order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("warranty_start"), data.get("warranty_end")
        if start and end and end < start:
            self.add_error("warranty_end", _("The warranty cannot end before it starts."))
        serial = (data.get("serial") or "").strip()
        if "serial" in data:
            data["serial"] = serial
        return data


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file contains"), choices=ImportKind.choices, widget=forms.RadioSelect,
                             initial=ImportKind.CUSTOMERS)
    file = forms.FileField(label=_("File (CSV or XLSX, at most 20 MB)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}))
