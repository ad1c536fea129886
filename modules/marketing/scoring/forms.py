"""Forms of the scoring settings page. The field select carries the record type
(``contact:job_title``) so one select covers both kinds of record; the rule service checks the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.marketing.scoring.choices import BehaviourEvent, Decay, Operator, RuleKind, ScoredEntity
from modules.marketing.scoring.fields import fit_fields
from modules.marketing.scoring.models import POINTS_LIMIT, ScoringRule


def _field_choices() -> list[tuple[str, str]]:
    choices = [("", "—")]
    for entity in ScoredEntity:
        choices += [(f"{entity.value}:{key}", f"{entity.label}: {label}") for key, label in fit_fields(entity.value)]
    return choices


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    points = forms.IntegerField(label=_("Points"), min_value=-POINTS_LIMIT, max_value=POINTS_LIMIT)
    field = forms.ChoiceField(label=_("Field (fit rules)"), required=False)
    operator = forms.ChoiceField(label=_("Operator"), choices=[("", "—"), *Operator.choices], required=False)
    value = forms.CharField(label=_("Value"), max_length=200, required=False)
    event_type = forms.ChoiceField(
        label=_("Event (behaviour rules)"), choices=[("", "—"), *BehaviourEvent.choices], required=False
    )
    cap_points = forms.IntegerField(label=_("At most (points)"), min_value=1, max_value=1_000_000, required=False)
    cap_days = forms.IntegerField(label=_("Per (days)"), min_value=1, max_value=3650, required=False)
    decay = forms.ChoiceField(label=_("Decay"), choices=Decay.choices, initial=Decay.NONE)
    decay_percent = forms.IntegerField(label=_("Share lost (%)"), min_value=1, max_value=100, required=False)
    decay_days = forms.IntegerField(label=_("Every / after (days)"), min_value=1, max_value=3650, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, rule: ScoringRule | None = None, **kwargs: Any) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(rule, name) for name in self.base_fields if hasattr(rule, name)},
                "field": f"{rule.entity}:{rule.field}" if rule.field else "",
            }
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = _field_choices()  # type: ignore[attr-defined]

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        entity, _sep, field = (values.pop("field") or "").partition(":")
        values.update(entity=entity, field=field)
        for name in ("operator", "value", "event_type"):
            values[name] = values[name] or ""
        return values


class ThresholdForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    points = forms.IntegerField(label=_("Score"), min_value=1, max_value=1_000_000)
