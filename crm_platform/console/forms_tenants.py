"""Forms of the console's tenants section: the list's filters and each action on a tenant."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from billing.models import Plan
from modules.registry import MODULES_BY_KEY, OPTIONAL_MODULE_KEYS
from tenants.choices import TenantStatus

NO_PLAN = "none"
MAX_TRIAL_EXTENSION_DAYS = 90


class TenantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    plan = forms.ChoiceField(label=_("Plan"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *TenantStatus.choices]  # type: ignore[attr-defined]
        plans = [(plan.key, plan.name) for plan in Plan.objects.only("key", "name")]
        self.fields["plan"].choices = [("", _("All plans")), *plans, (NO_PLAN, _("No subscription"))]  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ExtendTrialForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=MAX_TRIAL_EXTENSION_DAYS,
        help_text=_("Added to the trial's end (or to today, once it has ended)."),
    )


def _module_choices() -> list[tuple[str, Any]]:
    return [(key, MODULES_BY_KEY[key].label) for key in OPTIONAL_MODULE_KEYS]


class ChangePlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.all(),
        to_field_name="key",
        error_messages={"invalid_choice": _("There is no such plan.")},
    )
    add_modules = forms.MultipleChoiceField(
        label=_("Modules added to the plan's"), required=False, widget=forms.CheckboxSelectMultiple
    )
    remove_modules = forms.MultipleChoiceField(
        label=_("Modules removed from the plan's"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["add_modules"].choices = _module_choices()  # type: ignore[attr-defined]
        self.fields["remove_modules"].choices = _module_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = set(data.get("add_modules") or ()) & set(data.get("remove_modules") or ())
        if both:
            self.add_error("remove_modules", _("A module cannot be both added and removed."))
        return data

    @property
    def module_overrides(self) -> dict[str, list[str]]:
        overrides = {
            "add": list(self.cleaned_data.get("add_modules") or ()),
            "remove": list(self.cleaned_data.get("remove_modules") or ()),
        }
        return {key: keys for key, keys in overrides.items() if keys}


class DeleteTenantForm(forms.Form):
    confirm_slug = forms.CharField(
        label=_("Type the tenant's slug to confirm"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, slug: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slug = slug

    def clean_confirm_slug(self) -> str:
        typed = str(self.cleaned_data["confirm_slug"]).strip()
        if typed != self.slug:
            raise forms.ValidationError(_("That is not this tenant's slug; nothing was deleted."))
        return typed


class ImpersonateForm(forms.Form):
    email = forms.ChoiceField(label=_("User"))
    reason = forms.CharField(label=_("Reason"), max_length=300)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1)

    def __init__(self, *args: Any, users: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].choices = users  # type: ignore[attr-defined]
        # The limit is a setting, so it is read when the form is made, not when the module loads.
        limit = settings.IMPERSONATION_MAX_MINUTES
        minutes = self.fields["minutes"]
        minutes.validators.append(MaxValueValidator(limit))
        minutes.widget.attrs["max"] = limit
        minutes.initial = min(30, limit)
