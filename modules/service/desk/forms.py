"""Forms of the service desk's pages; the services check the business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from identity.models import Team, User
from modules.service.choices import CaseChannel, CasePriority, StatusCategory
from modules.service.desk.choices import AssignmentMethod
from modules.service.desk.models import CannedResponse
from modules.service.models import CaseCategory, CaseStatus


class StatusForm(forms.Form):
    label = forms.CharField(label=_("Name"), max_length=CaseStatus._meta.get_field("label").max_length)
    category = forms.ChoiceField(label=_("Category"), choices=StatusCategory.choices)


class RenameStatusForm(forms.Form):
    label = forms.CharField(label=_("Name"), max_length=CaseStatus._meta.get_field("label").max_length)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=CaseCategory._meta.get_field("name").max_length)


class AssignmentRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=CaseCategory.objects.all(), required=False, empty_label=_("Any category")
    )
    language = forms.CharField(
        label=_("Language"), max_length=10, required=False, help_text=_("A language code such as de or pt-BR.")
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any channel")), *CaseChannel.choices], required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[("", _("Any priority")), *CasePriority.choices], required=False
    )
    team = forms.ModelChoiceField(
        label=_("Case's queue"), queryset=Team.objects.all(), required=False, empty_label=_("Any queue")
    )
    method = forms.ChoiceField(label=_("Assign by"), choices=AssignmentMethod.choices)
    queue = forms.ModelChoiceField(
        label=_("Among the members of"), queryset=Team.objects.all(), required=False,
        empty_label=_("The case's queue"),
    )  # fmt: skip
    agent = forms.ModelChoiceField(label=_("Fixed agent"), queryset=User.objects.filter(is_active=True), required=False)

    @staticmethod
    def initial_of(rule: Any) -> dict[str, Any]:
        return {
            name: getattr(rule, name)
            for name in (
                "name",
                "is_active",
                "category",
                "language",
                "channel",
                "priority",
                "team",
                "method",
                "queue",
                "agent",
            )
        }


class CannedResponseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=CannedResponse._meta.get_field("title").max_length)
    body = forms.CharField(
        label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            'Merge fields: {{ contact.first_name }}, {{ contact.full_name }}, {{ company.name }}, {{ record.number }}, '
            '{{ record.subject }}, {{ agent.first_name }}, {{ owner.full_name }}; a fallback for an empty value: '
            '{{ contact.first_name | "there" }}.'
        ),
    )  # fmt: skip


class MergeForm(forms.Form):
    target = forms.CharField(label=_("Merge into case number"), max_length=20)


class SplitForm(forms.Form):
    subject = forms.CharField(label=_("Subject of the new case"), max_length=300, required=False)
    messages = forms.TypedMultipleChoiceField(
        label=_("Messages that move"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, message_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["messages"]
        if isinstance(field, forms.ChoiceField):
            field.choices = message_choices


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
