"""Each answer fires the rules of its survey: "Survey answered" for any answer, the category
triggers for their NPS band only; a detractor opens a service case when the survey says so."""

from __future__ import annotations

from typing import Any

from customization.workflows.definition import clean_definition
from customization.workflows.models import WorkflowRun
from customization.workflows.views import builder_config
from modules.marketing.surveys.models import Response
from modules.marketing.surveys.services.answers import submit
from modules.service.models import Case
from tests.customization.workflows.engine.conftest import drive, make_rule
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.marketing.surveys.conftest import fields, make_survey, personal_token
from tests.tenancy import TenantFixture

SET_DESCRIPTION = [{"type": "update_field", "field": "description", "value": "Call them back"}]


class Form(dict[str, Any]):
    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        return value if isinstance(value, list) else [] if value is None else [value]


def test_a_detractor_fires_the_detractor_rule_of_its_survey_only(alpha: TenantFixture) -> None:
    with alpha.active():
        survey, other = make_survey(alpha), make_survey(alpha, name="Other")
        detractor_rule = make_rule(
            entity="contact", trigger="survey_detractor", trigger_config={"id": survey.pk}, actions=SET_DESCRIPTION
        )
        promoter_rule = make_rule(
            entity="contact", trigger="survey_promoter", trigger_config={"id": survey.pk}, actions=SET_DESCRIPTION
        )
        any_answer = make_rule(
            entity="contact", trigger="survey_answered", trigger_config={"id": survey.pk}, actions=SET_DESCRIPTION
        )
        other_rule = make_rule(
            entity="contact", trigger="survey_answered", trigger_config={"id": other.pk}, actions=SET_DESCRIPTION
        )
        contact = ContactFactory(email="dana@example.test", description="")

        submit(personal_token(survey, contact), Form(fields(survey, "4")))
        drive()

        assert WorkflowRun.objects.get(rule=detractor_rule).status == "succeeded"
        assert WorkflowRun.objects.get(rule=any_answer).record_id == contact.pk
        assert not WorkflowRun.objects.filter(rule__in=[promoter_rule, other_rule]).exists()
        contact.refresh_from_db()
        assert contact.description == "Call them back"


def test_the_builder_offers_the_surveys_and_the_definition_checks_the_choice(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        offered = builder_config()["eventTriggers"]["survey_detractor"]
        cleaned = clean_definition(
            entity="contact", trigger="survey_detractor", trigger_config={"id": str(survey.pk)}, conditions=None,
            actions=SET_DESCRIPTION,
        )  # fmt: skip
    assert {"value": str(survey.pk), "label": "Quarterly NPS"} in offered["options"]
    assert cleaned["trigger_config"] == {"id": survey.pk}


def test_a_detractor_opens_a_case_once_when_the_survey_says_so(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha, open_case_for_detractors=True)
        contact = ContactFactory(email="dana@example.test")
        token = personal_token(survey, contact)
        submit(token, Form(fields(survey, "2", None, None, "Too slow")))
        submit(token, Form(fields(survey, "1", None, None, "Still slow")))  # the same response: no second case
        case = Case.objects.get()
        assert (case.contact_id, case.priority) == (contact.pk, "high")
        assert "Too slow" in case.description
        assert Response.objects.get().case_number == case.number
        promoter = ContactFactory(email="pat@example.test")
        submit(personal_token(survey, promoter), Form(fields(survey, "10")))
        assert Case.objects.count() == 1


def test_no_case_without_the_service_module(alpha: TenantFixture) -> None:
    without_modules(alpha, "service")
    with alpha.active():
        survey = make_survey(alpha, open_case_for_detractors=True)
        submit(personal_token(survey, ContactFactory(email="dana@example.test")), Form(fields(survey, "0")))
        assert Response.objects.get().category == "detractor"
        assert not Case.objects.exists()
