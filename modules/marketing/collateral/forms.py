from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False, widget=forms.Textarea)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    tags = forms.CharField(label=_("Tags"), max_length=1100, required=False, help_text=_("Separated by commas."))
    file = forms.FileField(label=_("File"))


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=500, required=False)
