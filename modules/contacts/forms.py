"""Forms of the customer-record pages. They only parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from customization.fields.form_fields import CustomFieldsMixin
from identity.models import User
from modules.contacts.choices import LifecycleStage, Source
from modules.contacts.models import Company
from modules.contacts.services.tags import tags_from_names
from modules.contacts.widgets import RecordPicker


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


class BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
            if isinstance(widget, forms.Select):
                css = "form-select"
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self) -> None:
        """Flag the widgets of fields with errors (also after a service added some)."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}-errors"


class RecordForm(CustomFieldsMixin, BootstrapForm):
    """What companies and contacts share: owner, stage, source, tags, contact points, address."""

    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Owner"))
    lifecycle_stage = forms.ChoiceField(choices=LifecycleStage.choices, label=_("Lifecycle stage"))
    source = forms.ChoiceField(choices=[("", "—"), *Source.choices], required=False, label=_("Source"))
    tags = forms.CharField(
        required=False, label=_("Tags"), help_text=_("Separate tags with commas; new ones are created.")
    )
    email = forms.CharField(required=False, label=_("E-mail"))
    additional_emails = forms.CharField(required=False, label=_("Other e-mails"), help_text=_("Comma-separated."))
    phone = forms.CharField(required=False, max_length=40, label=_("Phone"))
    additional_phones = forms.CharField(required=False, label=_("Other phones"), help_text=_("Comma-separated."))
    street = forms.CharField(required=False, label=_("Street"))
    city = forms.CharField(required=False, label=_("City"))
    region = forms.CharField(required=False, label=_("Region"))
    postal_code = forms.CharField(required=False, label=_("Postal code"))
    country = forms.CharField(required=False, label=_("Country"), help_text=_("ISO 3166 code, e.g. RO."))
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Description"))
    allow_duplicate = forms.BooleanField(required=False, label=_("Create anyway, it is not a duplicate"))

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def clean_additional_emails(self) -> list[str]:
        return _split(self.cleaned_data["additional_emails"])

    def clean_additional_phones(self) -> list[str]:
        return _split(self.cleaned_data["additional_phones"])

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()

    def clean_tags(self) -> list[str]:
        return _split(self.cleaned_data["tags"])

    def service_values(self) -> dict[str, Any]:
        """The cleaned values as the create/update service takes them (tag names become tags)."""
        values = {name: value for name, value in self.cleaned_data.items() if name != "allow_duplicate"}
        values["tags"] = tags_from_names(values["tags"])
        return values


class CompanyForm(RecordForm):
    name = forms.CharField(max_length=200, label=_("Name"))
    website = forms.CharField(required=False, label=_("Website"))
    industry = forms.CharField(required=False, max_length=100, label=_("Industry"))
    employee_count = forms.IntegerField(required=False, min_value=0, label=_("Employees"))

    field_order = ["name", "website", "industry", "employee_count", "owner", "lifecycle_stage", "source", "tags"]


class ContactForm(RecordForm):
    first_name = forms.CharField(required=False, max_length=100, label=_("First name"))
    last_name = forms.CharField(required=False, max_length=100, label=_("Last name"))
    job_title = forms.CharField(required=False, max_length=120, label=_("Job title"))
    department = forms.CharField(required=False, max_length=120, label=_("Department"))
    company = forms.ModelChoiceField(
        queryset=Company.objects.none(),
        required=False,
        label=_("Company"),
        help_text=_("Type a name and pick the company from the suggestions; empty the box for none."),
        widget=RecordPicker("company"),
    )

    field_order = [
        "first_name", "last_name", "job_title", "department", "company", "owner", "lifecycle_stage", "source", "tags",
    ]  # fmt: skip

    def __init__(self, *args: Any, companies: QuerySet[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies  # type: ignore[attr-defined]


class SavedViewForm(BootstrapForm):
    name = forms.CharField(max_length=100, label=_("View name"))
    is_shared = forms.BooleanField(required=False, label=_("Share with everyone"))


class VCardImportForm(BootstrapForm):
    file = forms.FileField(label=_("vCard file (.vcf)"))
