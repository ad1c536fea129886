"""The survey list, declared for the list framework (``modules.lists``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.lists.definition import Column, Filter, ListDefinition
from modules.lists.keys import register_list_key
from modules.marketing.surveys.choices import SurveyKind, SurveyStatus
from modules.marketing.surveys.models import Survey
from modules.marketing.surveys.services.surveys import delete_survey, update_survey

# The saved-view key of the list (the list framework's views are stored under it).
LIST_KEY = register_list_key("survey")


def survey_rows(user: User) -> QuerySet[Survey]:
    return Survey.objects.select_related("campaign").annotate(response_count=Count("responses"))


def filter_surveys(surveys: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    for name, choices in (("kind", SurveyKind.values), ("status", SurveyStatus.values)):
        if params.get(name, "") in choices:
            surveys = surveys.filter(**{name: params[name]})
    query = params.get("q", "").strip()
    if query:
        surveys = surveys.filter(Q(name__icontains=query) | Q(campaign__name__icontains=query))
    return surveys


def _detail(row: Survey) -> str:
    return reverse("marketing-surveys:survey-detail", args=[row.pk])


SURVEYS = ListDefinition(
    key=LIST_KEY,
    title=_("Surveys"),
    namespace="marketing-surveys",
    prefix="survey",
    module_permission="marketing",
    rows=survey_rows,
    apply_filters=filter_surveys,
    filters=(
        Filter("q", _("Search"), placeholder=_("Survey or campaign name")),
        Filter("kind", _("Kind"), options=lambda user: SurveyKind.choices),
        Filter("status", _("Status"), options=lambda user: SurveyStatus.choices),
    ),
    columns=(
        Column("name", _("Survey"), "lists/cells/link.html", url=_detail, sort="name", phone=True),
        Column("kind", _("Kind"), value=lambda row: row.get_kind_display()),
        Column("status", _("Status"), value=lambda row: row.get_status_display(), phone=True),
        Column("response_count", _("Responses"), "lists/cells/number.html", sort="responses", numeric=True),
        Column("campaign", _("Campaign"), value="campaign.name"),
        Column("language", _("Language"), value=lambda row: row.get_language_display(), default=False),
        Column("created_at", _("Created"), "lists/cells/date.html", sort="created"),
    ),
    sorts={"name": "name", "responses": "response_count", "created": "created_at"},
    default_sort="-created",
    custom_fields=False,
    owner_field=None,
    update=update_survey,
    delete=delete_survey,
    toolbar="marketing_surveys/list_toolbar.html",
    empty_text=_("No surveys yet."),
    rows_name="surveys",
    exportable=True,
)
