"""Forms of Settings → Webhooks. They check the input's shape; the services own the rules (URL
and address checks, known event types and fields)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from api.webhooks.event_types import event_types_by_entity, record_type_choices
from customization.fields.choices import Entity
from customization.workflows.record_fields import field_catalog

ROTATION_CHOICES = (("24", _("after 24 hours")), ("1", _("after 1 hour")), ("0", _("now")))


def changed_field_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Per record type, its fields as ``entity:path`` choices (grouped for the form)."""
    return [
        (str(label), [(f"{entity}:{info.path}", str(info.label)) for info in field_catalog(entity)])
        for entity, label in Entity.choices
    ]


class EndpointForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=2000, widget=forms.URLInput(attrs={"placeholder": "https://"}))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Event types"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event type."),
    )  # fmt: skip
    entities = forms.MultipleChoiceField(
        label=_("Record types"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every record type."),
    )  # fmt: skip
    changed_fields = forms.MultipleChoiceField(
        label=_("Only updates that change"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("For “updated” events of a record type with fields ticked here: only when one of them changed."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        event_types = cast(forms.MultipleChoiceField, self.fields["event_types"])
        event_types.choices = [(str(label), types) for _entity, label, types in event_types_by_entity()]
        cast(forms.MultipleChoiceField, self.fields["entities"]).choices = record_type_choices()
        cast(forms.MultipleChoiceField, self.fields["changed_fields"]).choices = changed_field_choices()

    def service_values(self) -> dict[str, Any]:
        """The cleaned data as the endpoint services take it."""
        data = self.cleaned_data
        by_entity: dict[str, list[str]] = defaultdict(list)
        for value in data["changed_fields"]:
            entity, path = value.split(":", 1)
            by_entity[entity].append(path)
        return {
            "url": data["url"],
            "description": data["description"],
            "event_types": data["event_types"],
            "entities": data["entities"],
            "changed_fields": dict(by_entity),
        }

    @staticmethod
    def initial_of(values: dict[str, Any]) -> dict[str, Any]:
        return {
            **values,
            "changed_fields": [
                f"{entity}:{path}" for entity, paths in values["changed_fields"].items() for path in paths
            ],
        }


class RotateSecretForm(forms.Form):
    previous_expires = forms.ChoiceField(
        label=_("The previous secret stops signing"), choices=ROTATION_CHOICES, initial="24"
    )
