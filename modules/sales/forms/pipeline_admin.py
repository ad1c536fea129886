"""Forms of Settings → Pipelines: they check the input's shape; the services own the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from modules.sales.choices import StageKind
from modules.sales.models import Stage
from modules.sales.services.pipeline_admin import required_field_choices


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=StageKind.choices)
    probability = forms.IntegerField(label=_("Win probability (%)"), min_value=0, max_value=100)
    required_fields = forms.MultipleChoiceField(
        label=_("Required fields"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    rotting_days = forms.IntegerField(
        label=_("Rotting after (days)"),
        min_value=1,
        required=False,
        help_text=_("A deal idle this long is flagged. Leave empty to never flag."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required_fields"].choices = required_field_choices()  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, stage: Stage) -> dict[str, Any]:
        return {name: getattr(stage, name) for name in cls.base_fields}


class StageChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Stage) -> str:  # type: ignore[override]
        return f"{obj.pipeline.name} → {obj.name}"


class TargetStageForm(forms.Form):
    """Where deals go: a stage of ``stages`` (grouped by pipeline in the page)."""

    target_stage = StageChoiceField(label=_("Move the deals to"), queryset=Stage.objects.none())

    def __init__(self, *args: Any, stages: QuerySet[Stage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target_stage"]
        field.queryset = stages.select_related("pipeline").order_by(  # type: ignore[attr-defined]
            "pipeline__position", "pipeline_id", "position", "id"
        )
