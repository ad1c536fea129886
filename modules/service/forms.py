"""Forms of the case pages: they check the shape of the input; ``services.cases`` owns the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customization.fields.form_fields import CustomFieldsMixin
from identity.models import Team, User
from modules.contacts.models import Company, Contact
from modules.contacts.widgets import RecordPicker
from modules.sales.catalog_forms import StyledForm
from modules.service.choices import CaseChannel, CasePriority, MessageKind
from modules.service.models import Case, CaseCategory, CaseStatus

# The longest message an agent may write in the composer (a long e-mail thread pasted in fits).
MESSAGE_MAX_LENGTH = 50_000
# The most files one message carries.
MAX_FILES = 10
# The sales records a case may link to.
LINKS = ("deal", "order", "product")


def active_agents() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


def case_statuses() -> QuerySet[CaseStatus]:
    return CaseStatus.objects.filter(is_active=True).order_by("position", "id")


class CaseForm(CustomFieldsMixin, StyledForm):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=MESSAGE_MAX_LENGTH
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False, widget=RecordPicker("contact")
    )
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.none(), required=False, widget=RecordPicker("company")
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CaseChannel.choices, initial=CaseChannel.AGENT)
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices, initial=CasePriority.NORMAL)
    status = forms.ModelChoiceField(label=_("Status"), queryset=CaseStatus.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=CaseCategory.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Queue"), queryset=Team.objects.none(), required=False)
    owner = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        companies: QuerySet[Company],
        contacts: QuerySet[Contact],
        links: dict[str, QuerySet[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts.order_by("full_name")  # type: ignore[attr-defined]
        self.fields["company"].queryset = companies.order_by("name")  # type: ignore[attr-defined]
        self.fields["status"].queryset = case_statuses()  # type: ignore[attr-defined]
        self.fields["category"].queryset = CaseCategory.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = active_agents()  # type: ignore[attr-defined]
        # Links to a deal, an order and a product: only for users who may see sales records.
        labels = {"deal": _("Deal"), "order": pgettext_lazy("sales order", "Order"), "product": _("Product")}
        for name, queryset in (links or {}).items():
            self.fields[name] = forms.ModelChoiceField(label=labels[name], queryset=queryset, required=False)
            self.fields[name].widget.attrs["class"] = "form-select"

    @classmethod
    def initial_for(cls, case: Case) -> dict[str, Any]:
        names = (*cls.base_fields, *LINKS)
        return {name: getattr(case, name) for name in names}

    def service_values(self) -> dict[str, Any]:
        names = (*self.base_fields, *LINKS)
        return {name: value for name, value in self.cleaned_data.items() if name in names and name in self.fields}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MessageForm(StyledForm):
    """The composer: a public reply or an internal note, with files (checked by the view, which
    stores them)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MessageKind.choices, initial=MessageKind.REPLY)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={"required": _("Write a message.")},
    )
    # A plain field: a FileField cleans one file, the widget gives the list of every chosen file.
    attachments = forms.Field(label=_("Attachments"), required=False, widget=MultipleFileInput())

    # A file from another module's library (``modules.collaboration.composer``): "<source>:<id>",
    # attached as the file or as a share link below the text.
    attach_from = forms.CharField(label=_("Attach from a library"), required=False, max_length=60)
    attach_as = forms.ChoiceField(
        label=_("Send it as"),
        choices=[("file", _("The file")), ("link", _("A share link"))],
        required=False,
        initial="file",
    )

    def clean_attachments(self) -> list[Any]:
        files = self.files.getlist(self.add_prefix("attachments")) if hasattr(self.files, "getlist") else []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)d files to one message.") % {"count": MAX_FILES}, code="too_many"
            )
        return files


class QuickChangeForm(forms.Form):
    """One of status, priority, queue or agent changed from the case page's sidebar; an empty
    queue or agent takes it away."""

    FIELDS = ("status", "priority", "team", "owner")

    status = forms.ModelChoiceField(label=_("Status"), queryset=CaseStatus.objects.none(), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=CasePriority.choices, required=False)
    team = forms.ModelChoiceField(label=_("Queue"), queryset=Team.objects.none(), required=False)
    owner = forms.ModelChoiceField(label=_("Agent"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = case_statuses()  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["owner"].queryset = active_agents()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        posted = [name for name in self.FIELDS if name in self.data]
        if len(posted) != 1:
            raise forms.ValidationError(_("Change one of status, priority, queue or agent."), code="one_field")
        name = posted[0]
        if name in ("status", "priority") and not cleaned.get(name) and name not in self.errors:
            self.add_error(name, _("Choose a value."))
        return cleaned

    def change(self) -> dict[str, Any]:
        name = next(name for name in self.FIELDS if name in self.data)
        return {name: self.cleaned_data.get(name) or None}
