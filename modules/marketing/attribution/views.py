"""The attribution report: per campaign, the influenced pipeline, the won revenue and the ROI under
the chosen model, over the deals created in a chosen period."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from identity.decorators import signed_in_user
from modules.contacts.services.money import base_currency
from modules.marketing.attribution.choices import AttributionModel
from modules.marketing.attribution.selectors import FORMULA, attribution
from modules.marketing.guard import marketing_page
from modules.marketing.selectors.campaigns import visible_campaigns
from modules.sales.catalog_forms import StyledForm


class ReportForm(StyledForm):
    model = forms.ChoiceField(
        label=_("Attribution model"), choices=AttributionModel.choices, required=False,
        initial=AttributionModel.LINEAR,
    )  # fmt: skip
    start = forms.DateField(
        label=_("Deals created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date cannot be before the start date."))
        return cleaned


def _moment(day: object) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))  # type: ignore[arg-type]


@marketing_page("marketing.view", "marketing.view_reports")
def attribution_report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    model = data.get("model") or AttributionModel.LINEAR
    end = data.get("end")
    rows = []
    if valid:
        rows = attribution(
            visible_campaigns(signed_in_user(request)),
            start=_moment(data.get("start")),
            end=_moment(end + timedelta(days=1)) if end else None,
        )
    context = {
        "form": form,
        "model": model,
        "model_label": AttributionModel(model).label,
        "rows": [(row, row.by_model[model]) for row in rows],
        "formula": FORMULA,
        "currency": base_currency(),
    }
    return render(request, "marketing/attribution/report.html", context, status=200 if valid else 400)
