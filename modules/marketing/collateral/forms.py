from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from modules.contacts.models import Contact
from modules.contacts.widgets import RecordPicker


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False, widget=forms.Textarea)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    tags = forms.CharField(label=_("Tags"), max_length=1100, required=False, help_text=_("Separated by commas."))
    file = forms.FileField(label=_("File"))


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=500, required=False)


class SendForm(forms.Form):
    """ "Send to a contact": a contact the user may see, subject and body with merge fields."""

    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), widget=RecordPicker("contact"),
        error_messages={"invalid_choice": _("Choose a contact you can see.")},
    )  # fmt: skip
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Merge fields: {{ record.first_name }}, {{ record.company }}, {{ owner.first_name }}…"),
    )
    attach_as = forms.ChoiceField(
        label=_("Send it as"),
        choices=[("file", _("The file attached")), ("link", _("A share link"))],
        initial="file",
    )

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]
