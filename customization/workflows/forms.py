"""Forms of Settings → Workflows. They check the input's shape (the builder posts the trigger
settings, conditions and actions as JSON in hidden inputs); the services own the rules."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from customization.fields.choices import Entity
from customization.workflows.choices import trigger_choices
from customization.workflows.definition_values import empty_conditions
from customization.workflows.models import WorkflowRule


class JSONDocumentField(forms.CharField):
    """A JSON document in a hidden input; an empty input is ``empty``."""

    widget = forms.HiddenInput

    def __init__(self, *, empty: Any, **kwargs: Any) -> None:
        self.empty = empty
        super().__init__(required=False, strip=True, **kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        return json.dumps(self.empty if value is None else value)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return self.empty
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The builder sent something unreadable: reload the page.")) from None


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    entity = forms.ChoiceField(label=_("Record type"), choices=Entity.choices)
    trigger = forms.ChoiceField(label=_("When"), choices=trigger_choices)
    trigger_config = JSONDocumentField(empty={})
    conditions = JSONDocumentField(empty=empty_conditions())
    actions = JSONDocumentField(empty=[])

    @classmethod
    def initial_of(cls, rule: WorkflowRule) -> dict[str, Any]:
        return {name: getattr(rule, name) for name in cls.base_fields}


class DryRunForm(forms.Form):
    record = forms.IntegerField(label=_("Record"), min_value=1)


class EmailTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Placeholders: {{ record.name }}, {{ record.custom.<key> }}, {{ owner.first_name }}, "
            "{{ owner.last_name }}, {{ owner.email }}."
        ),
    )
