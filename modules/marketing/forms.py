"""Forms of the campaign pages: they check the shape of the input; ``services.campaigns`` owns the
rules (dates in order, no parent loop, the input bounds)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from customization.fields.form_fields import CustomFieldsMixin
from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.money import CURRENCY_CHOICES
from modules.marketing.choices import CampaignKind, CampaignStatus, MemberStatus
from modules.marketing.models import Campaign, Segment
from modules.sales.catalog_forms import StyledForm
from modules.sales.models import Lead

MAX_AMOUNT = Decimal("999999999999.99")
# The most records one "add members" form adds (a whole segment goes through its own form).
MAX_PICKED = 500


def _amount(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, min_value=0, max_value=MAX_AMOUNT, initial=Decimal("0")
    )


class CampaignForm(CustomFieldsMixin, StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices, initial=CampaignKind.EMAIL)
    status = forms.ChoiceField(label=_("Status"), choices=CampaignStatus.choices, initial=CampaignStatus.PLANNED)
    parent = forms.ModelChoiceField(label=_("Parent campaign"), queryset=Campaign.objects.none(), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    budget = _amount(_("Budget"))
    actual_cost = _amount(_("Actual cost"))
    expected_revenue = _amount(_("Expected revenue"))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10_000
    )

    def __init__(self, *args: Any, parents: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents.order_by("name", "id")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("full_name", "email")  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict[str, Any]:
        return {name: getattr(campaign, name) for name in cls.base_fields}

    def service_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.base_fields if name in self.cleaned_data}
        for name in ("budget", "actual_cost", "expected_revenue"):
            if values.get(name) is None:
                values[name] = Decimal("0")
        return values


class AddMembersForm(forms.Form):
    """Contacts and leads ticked in the page's search results, added with a status."""

    contacts: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), required=False
    )
    leads: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=Lead.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices, initial=MemberStatus.TARGETED)

    def __init__(self, *args: Any, contacts: QuerySet[Any], leads: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts  # type: ignore[attr-defined]
        self.fields["leads"].queryset = leads  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        picked = len(cleaned.get("contacts") or ()) + len(cleaned.get("leads") or ())
        if not self.errors and picked == 0:
            raise forms.ValidationError(_("Choose at least one contact or lead."), code="empty")
        if picked > MAX_PICKED:
            raise forms.ValidationError(
                _("Choose at most %(count)d records at a time.") % {"count": MAX_PICKED}, code="too_many"
            )
        return cleaned


class AddSegmentForm(forms.Form):
    segment = forms.ModelChoiceField(
        label=_("Segment"), queryset=Segment.objects.order_by("name", "id"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), choices=MemberStatus.choices, initial=MemberStatus.TARGETED,
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )  # fmt: skip


class MemberStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices)


class RemoveMembersForm(forms.Form):
    members = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service removes only the campaign's own members.
        posted = self.data.getlist("members") if hasattr(self.data, "getlist") else []
        self.fields["members"].choices = [  # type: ignore[attr-defined]
            (value, value) for value in posted if str(value).isdigit() and len(str(value)) < 12
        ]
