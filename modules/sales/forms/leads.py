"""Lead create/edit and conversion forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from customization.fields.form_fields import CustomFieldsMixin
from identity.models import User
from modules.contacts.choices import Source
from modules.contacts.models import Company, Contact
from modules.contacts.money import CURRENCY_CHOICES
from modules.contacts.widgets import RecordPicker
from modules.sales.choices import LeadStatus
from modules.sales.models import Lead, Pipeline, Stage


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


class LeadForm(CustomFieldsMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *Source.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in LeadStatus.choices if c[0] != LeadStatus.CONVERTED]
    )
    estimated_value = forms.DecimalField(
        label=_("Estimated value"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, lead: Lead) -> dict[str, Any]:
        return {name: getattr(lead, name) for name in cls.base_fields}

    def clean_country(self) -> str:
        return str(self.cleaned_data.get("country") or "").upper()


class ConvertLeadForm(forms.Form):
    company_choice = forms.ChoiceField(
        label=_("Company"),
        choices=[
            ("new", _("Create a new company")),
            ("existing", _("Use an existing company")),
            ("none", _("No company")),
        ],
        widget=forms.RadioSelect,
    )
    company = forms.ModelChoiceField(
        label=_("Existing company"), queryset=Company.objects.none(), required=False, widget=RecordPicker("company")
    )
    contact_choice = forms.ChoiceField(
        label=_("Contact"),
        choices=[("new", _("Create a new contact")), ("existing", _("Use an existing contact"))],
        widget=forms.RadioSelect,
    )
    contact = forms.ModelChoiceField(
        label=_("Existing contact"), queryset=Contact.objects.none(), required=False, widget=RecordPicker("contact")
    )
    create_deal = forms.BooleanField(label=_("Create a deal"), required=False)
    deal_name = forms.CharField(label=_("Deal name"), max_length=200, required=False)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none(), required=False)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0, required=False)

    def __init__(self, *args: Any, companies: QuerySet[Company], contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies  # type: ignore[attr-defined]
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]
        self.fields["pipeline"].queryset = Pipeline.objects.filter(is_archived=False)  # type: ignore[attr-defined]
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline").order_by(  # type: ignore[attr-defined]
            "pipeline__position", "position"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("company_choice") == "existing" and not data.get("company"):
            self.add_error("company", _("Choose the company."))
        if data.get("contact_choice") == "existing" and not data.get("contact"):
            self.add_error("contact", _("Choose the contact."))
        stage, pipeline = data.get("stage"), data.get("pipeline")
        if data.get("create_deal") and stage is not None and pipeline is not None and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", _("This stage belongs to another pipeline."))
        return data

    def conversion_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        create_deal = bool(data.get("create_deal"))
        return {
            "company": data["company"] if data["company_choice"] == "existing" else None,
            "create_company_record": data["company_choice"] == "new",
            "contact": data["contact"] if data["contact_choice"] == "existing" else None,
            "create_deal_record": create_deal,
            "deal_name": data.get("deal_name") or None,
            "pipeline": data.get("pipeline") if create_deal else None,
            "stage": data.get("stage") if create_deal else None,
            "amount": data.get("amount") if create_deal else None,
        }
