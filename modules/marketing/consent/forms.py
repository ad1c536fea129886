"""The staff forms of consent and subscriptions (page forms; the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.marketing.choices import SuppressionReason
from modules.marketing.models import Topic

IMPORT_MAX_BYTES = 2 * 1024 * 1024


class TopicForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=60, help_text=_("Used by forms and the API, e.g. newsletter."))
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=10_000, initial=0)
    is_active = forms.BooleanField(label=_("Offered on the preference page and forms"), required=False, initial=True)


class SuppressionForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    reason = forms.ChoiceField(label=_("Reason"), choices=SuppressionReason.choices, initial=SuppressionReason.MANUAL)
    detail = forms.CharField(label=_("Note"), max_length=2000, required=False)


class UnsuppressForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    note = forms.CharField(label=_("Why"), max_length=2000)


class SuppressionImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: email, and optionally reason and detail."))

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class StaffConsentForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.filter(is_active=True))
    granted = forms.TypedChoiceField(
        label=_("Consent"), coerce=lambda value: value == "1",
        choices=[("1", _("Given")), ("0", _("Withdrawn"))],
    )  # fmt: skip
    note = forms.CharField(
        label=_("Proof"), max_length=1000, help_text=_("How it was given, e.g. by phone on a call with the contact.")
    )
