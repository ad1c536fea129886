"""The portal's forms: sizes bounded here, NUL bytes and the like refused by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.service.portal.services.requests import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from modules.service.portal.services.sign_in import PASSWORD_MAX_LENGTH


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class PasswordSignInForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    password = forms.CharField(label=_("Password"), max_length=PASSWORD_MAX_LENGTH, widget=forms.PasswordInput)


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class CaseForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH)
    description = forms.CharField(label=_("Description"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea)
    attachments = MultipleFileField(label=_("Files"), required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea)
    attachments = MultipleFileField(label=_("Files"), required=False)


class AcceptQuoteForm(forms.Form):
    name = forms.CharField(label=_("Your full name"), max_length=200)


class DeclineQuoteForm(forms.Form):
    reason = forms.CharField(label=_("Why not? (optional)"), max_length=2000, required=False, widget=forms.Textarea)


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), max_length=PASSWORD_MAX_LENGTH, widget=forms.PasswordInput)
