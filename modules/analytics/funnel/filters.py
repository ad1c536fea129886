"""The funnel's parameters, one form for the page and the APIs: an invalid one is a 400 naming it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.input_bounds import moment_problem
from identity.models import Team, User
from modules.sales.models import Pipeline
from modules.sales.services.pipelines import default_pipeline

# A period longer than this is refused: the history scan grows with it.
MAX_DAYS = 3660
DEFAULT_DAYS = 90


class PeriodOwnerTeamCleaning:
    """The checks of an analysis form's ``start``/``end`` dates (inside the stored window), ``owner``
    (a user) and ``team`` (a team): the forms that declare those fields share them."""

    cleaned_data: dict[str, Any]

    def clean_start(self) -> dt.date | None:
        return self._bounded("start")

    def clean_end(self) -> dt.date | None:
        return self._bounded("end")

    def _bounded(self, name: str) -> dt.date | None:
        value = self.cleaned_data.get(name)
        if value is not None and (problem := moment_problem(value)):
            raise ValidationError(problem)
        return value  # type: ignore[no-any-return]

    def clean_owner(self) -> User | None:
        pk = self.cleaned_data.get("owner")
        if pk is None:
            return None
        owner = User.objects.filter(pk=pk).first()
        if owner is None:
            raise ValidationError(_("No such user."))
        return owner

    def clean_team(self) -> Team | None:
        pk = self.cleaned_data.get("team")
        if pk is None:
            return None
        team = Team.objects.filter(pk=pk).first()
        if team is None:
            raise ValidationError(_("No such team."))
        return team


class FunnelFilterForm(PeriodOwnerTeamCleaning, forms.Form):
    pipeline = forms.IntegerField(label=_("Pipeline"), required=False, min_value=1, max_value=2**63 - 1)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    owner = forms.IntegerField(label=_("Owner"), required=False, min_value=1, max_value=2**63 - 1)
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1, max_value=2**63 - 1)

    def clean_pipeline(self) -> Pipeline | None:
        pk = self.cleaned_data.get("pipeline")
        if pk is None:
            return None
        pipeline = Pipeline.objects.filter(pk=pk).first()
        if pipeline is None:
            raise ValidationError(_("No such pipeline."))
        return pipeline

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        end = end or timezone.localdate()
        start = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if "start" in data and "end" in data:
            if start > end:
                self.add_error("end", _("The end comes before the start."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("Choose a period of at most ten years."))
        data["start"], data["end"] = start, end
        if not self.errors and data.get("pipeline") is None:
            data["pipeline"] = default_pipeline()
            if data["pipeline"] is None:
                self.add_error("pipeline", _("There is no pipeline yet."))
        return data
