"""What surveys bring to the rest of the platform, registered from ``SurveysConfig.ready()``:
workflow triggers on answers, responses as a report source, and the "NPS over time" dashboard
widget.

The NPS category as a rule's condition: the category is a fact of the answer (the event's data),
not a field of the contact a condition could test, and the workflow registry keeps only the chosen
record of a module trigger's settings. So besides "Survey answered" there is one trigger per
category ("Survey answered by a detractor", …), each set to a survey like the first: a rule picks
the category with the trigger, and the builder offers it with no change to ``customization``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from customization.events.catalogue import EventGroup, register_event_types
from customization.workflows.registry import Choices, WorkflowTrigger, register_trigger
from modules.analytics.dashboards.widgets import Display, SharedFilter, WidgetKind, register_widget
from modules.analytics.reports.registry import ReportSource, register_source
from modules.marketing.surveys.choices import NpsCategory
from modules.marketing.surveys.widgets import nps_over_time, visible_responses

ANSWERED_EVENT = "survey.answered"
RESPONSE_FIELDS = (
    "survey", "score", "category", "submitted_at", "email", "contact", "contact.company", "contact.owner",
    "contact.job_title",
)  # fmt: skip
CATEGORY_TRIGGERS = {
    NpsCategory.DETRACTOR: ("survey_detractor", _("Survey answered by a detractor (NPS 0–6)")),
    NpsCategory.PASSIVE: ("survey_passive", _("Survey answered by a passive (NPS 7–8)")),
    NpsCategory.PROMOTER: ("survey_promoter", _("Survey answered by a promoter (NPS 9–10)")),
}


def survey_options() -> Choices:
    from modules.marketing.surveys.models import Survey

    return tuple((str(pk), name) for pk, name in Survey.objects.order_by("name", "id").values_list("pk", "name"))


def _same_survey(config: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    try:
        return int(config.get("id")) == int(data.get("id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _answered_as(category: str) -> Any:
    def matches(config: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
        return _same_survey(config, data) and data.get("category") == category

    return matches


def _campaigns_of_surveys(ids: set[int]) -> dict[int, int]:
    from modules.marketing.surveys.models import Survey

    return dict(Survey.objects.filter(pk__in=ids, campaign__isnull=False).values_list("pk", "campaign_id"))


def register() -> None:
    from modules.marketing.choices import MemberStatus
    from modules.marketing.services.member_progress import register_progress

    # An answer to a campaign's survey is a response of the campaign's member.
    register_progress(ANSWERED_EVENT, MemberStatus.RESPONDED, _campaigns_of_surveys)
    register_event_types(
        EventGroup("survey", _("Survey"), ((ANSWERED_EVENT, _("answered (by a contact)")),), "survey_id")
    )
    register_trigger(
        WorkflowTrigger(
            key="survey_answered", label=_("Survey answered"), event=ANSWERED_EVENT, entities=("contact",),
            option=survey_options, option_label=_("Survey"),
        )
    )  # fmt: skip
    for category, (key, label) in CATEGORY_TRIGGERS.items():
        register_trigger(
            WorkflowTrigger(
                key=key, label=label, event=ANSWERED_EVENT, entities=("contact",), option=survey_options,
                option_label=_("Survey"), matches=_answered_as(category),
            )
        )  # fmt: skip
    register_source(
        ReportSource(
            key="survey_responses", label=_("Survey responses"), model="marketing_surveys.Response",
            module="marketing", visible=visible_responses, fields=RESPONSE_FIELDS, owner_field="contact.owner",
            order=120,
        )
    )  # fmt: skip
    register_widget(
        WidgetKind(
            key="nps_over_time", title=_("NPS over time"),
            description=_("Net Promoter Score per month: % promoters (9–10) − % detractors (0–6) of the NPS answers."),
            display=Display.LINE, compute=nps_over_time, needs=("marketing",), permission="marketing.view_reports",
            filters=frozenset({SharedFilter.PERIOD, SharedFilter.OWNER}), width=6, height=3, order=110,
        )
    )  # fmt: skip
