"""The marketers' pages: building a survey, its results, sending, responses and their export, the
contact's NPS card; permissions, the plan gate, another workspace's records, bad input, and
query counts that do not grow with the rows."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from modules.marketing.models import Segment, SegmentMember
from modules.marketing.surveys.models import Invitation, Question, Survey
from modules.marketing.surveys.services.answers import submit
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.marketing.surveys.conftest import fields, make_survey, personal_token
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant, schema_snapshot


class Form(dict[str, Any]):
    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        return value if isinstance(value, list) else [] if value is None else [value]


def _builder_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Onboarding", "kind": "custom", "language": "fr", "intro": "Bonjour", "thank_you": "Merci",
        "email_subject": "", "campaign": "", "share_mode": "off", "status": "open",
        "questions": json.dumps([
            {"kind": "rating", "label": "Note ?", "required": True},
            {"kind": "multiple", "label": "Quoi ?", "choices": ["A", "B"]},
        ]),
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_marketer_builds_a_survey_and_reorders_its_questions(alpha: TenantFixture) -> None:
    client = alpha.client()
    created = client.post(reverse("marketing-surveys:survey-create"), _builder_data())
    assert created.status_code == 302
    with alpha.active():
        survey = Survey.objects.get(name="Onboarding")
        first, second = survey.questions.order_by("position")
        assert (survey.language, survey.status, first.kind, second.choices) == ("fr", "draft", "rating", ["A", "B"])
    edit = reverse("marketing-surveys:survey-edit", args=[survey.pk])
    page = client.get(edit)
    assert page.status_code == 200
    assert 'x-data="surveyBuilder"' in page.content.decode()
    reordered = json.dumps([
        {"id": second.pk, "kind": "single", "label": "Quoi ?", "choices": ["A", "B", "C"]},
        {"id": first.pk, "kind": "rating", "label": "Note ?", "required": True},
        {"kind": "short_text", "label": "Pourquoi ?"},
    ])  # fmt: skip
    assert client.post(edit, _builder_data(questions=reordered, status="open")).status_code == 302
    with alpha.active():
        survey.refresh_from_db()
        assert survey.status == "open"
        assert list(survey.questions.order_by("position").values_list("pk", "kind")) == [
            (second.pk, "single"), (first.pk, "rating"), (survey.questions.get(kind="short_text").pk, "short_text")
        ]  # fmt: skip


def test_bad_builder_input_names_the_field_and_writes_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        before = list(Question.objects.filter(survey=survey).values_list("pk", "label", "choices"))
    client = alpha.client()
    edit = reverse("marketing-surveys:survey-edit", args=[survey.pk])
    for questions, path in (
        ([{"kind": "single", "label": "Pick", "choices": ["Only one"]}], "questions[0].choices"),
        ([{"kind": "nps", "label": ""}], "questions[0].label"),
        ([{"kind": "nps", "label": "Fine"}, {"kind": "telepathy", "label": "?"}], "questions[1].kind"),
        ([{"kind": "nps", "label": "a\x00b"}], "questions[0].label"),
        ([{"kind": "long_text", "label": "x" * 501}], "questions[0].label"),
    ):
        response = client.post(edit, _builder_data(name="Renamed", questions=json.dumps(questions)))
        assert response.status_code == 400, questions
        assert path in response.context["question_errors"], (questions, response.context["question_errors"])
    assert client.post(edit, _builder_data(name="Bad\x00name")).status_code == 400
    assert client.post(edit, _builder_data(questions="{not json")).status_code == 400
    with alpha.active():
        survey.refresh_from_db()
        assert survey.name == "Quarterly NPS"
        assert list(Question.objects.filter(survey=survey).values_list("pk", "label", "choices")) == before


def test_sending_to_contacts_by_address(
    alpha: TenantFixture, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        ContactFactory(email="ana@example.test")
        segment = Segment.objects.create(name="Fans")
        SegmentMember.objects.create(segment=segment, contact=ContactFactory(email="fan@example.test"))
    client = alpha.client()
    url = reverse("marketing-surveys:survey-send", args=[survey.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"addresses": "nobody-at-all"}).status_code == 400
    assert client.post(url, {"addresses": "stranger@example.test"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"addresses": "ANA@example.test\n", "segment": str(segment.pk)})
    assert sent.status_code == 302
    with alpha.active():
        assert sorted(Invitation.objects.values_list("email", flat=True)) == ["ana@example.test", "fan@example.test"]
        assert Invitation.objects.filter(sent_at__isnull=True).count() == 0


def _answers(alpha: TenantFixture, survey: Survey, count: int) -> None:
    with alpha.active():
        for index in range(count):
            contact = ContactFactory(email=f"r{index}-{survey.pk}@example.test")
            submit(personal_token(survey, contact), Form(fields(survey, str(index % 11), "Pro", ["Mail"], "Fine")))


def test_responses_and_export_cost_the_same_for_3_and_15_rows(
    alpha: TenantFixture, django_assert_max_num_queries: Any
) -> None:
    with alpha.active():
        survey = make_survey(alpha)
    _answers(alpha, survey, 3)
    client = alpha.client()
    responses = reverse("marketing-surveys:survey-responses", args=[survey.pk])
    export = reverse("marketing-surveys:survey-responses-csv", args=[survey.pk])
    listing = reverse("marketing-surveys:survey-list")
    for url in (responses, export, listing):
        assert client.get(url).status_code == 200
    counts = {}
    for url in (responses, export, listing):
        with django_assert_max_num_queries(40) as captured:
            response = client.get(url)
            b"".join(response) if response.streaming else response.content
        counts[url] = len(captured.captured_queries)
    _answers(alpha, survey, 12)
    with alpha.active():
        for index in range(8):
            make_survey(alpha, name=f"Survey {index}")
    for url in (responses, export, listing):
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url)
            body = b"".join(response) if response.streaming else response.content
    lines = b"".join(client.get(export)).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 16
    assert lines[0].startswith("Submitted,Contact,E-mail address,Score,NPS category,How likely")
    assert "Listing" not in body.decode()


def test_the_contact_page_shows_the_latest_nps(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        contact = ContactFactory(email="dana@example.test")
        submit(personal_token(survey, contact), Form(fields(survey, "9")))
    client = alpha.client()
    page = client.get(reverse("contacts:contact-detail", args=[contact.pk])).content.decode()
    assert 'data-testid="contact-nps-slot"' in page
    timeline = client.get(reverse("contacts:timeline", args=["contact", contact.pk])).content.decode()
    assert "Answered the survey “Quarterly NPS”" in timeline
    card = client.get(reverse("marketing-surveys:contact-nps", args=[contact.pk])).content.decode()
    assert 'data-testid="contact-nps-score">9<' in card
    assert "Promoter" in card


def test_roles_without_the_permission_are_refused(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
    rep = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)
    for method, name, args in (
        ("get", "survey-list", []), ("get", "survey-detail", [survey.pk]), ("post", "survey-create", []),
        ("post", "survey-delete", [survey.pk]), ("post", "survey-send", [survey.pk]),
        ("get", "survey-responses-csv", [survey.pk]),
    ):  # fmt: skip
        response = getattr(rep, method)(reverse(f"marketing-surveys:{name}", args=args), {"name": "x"})
        assert response.status_code == 403, name
    assert schema_snapshot(alpha.tenant) == before
    grant(alpha, "sales_rep", "marketing.view")
    before = schema_snapshot(alpha.tenant)
    assert rep.get(reverse("marketing-surveys:survey-detail", args=[survey.pk])).status_code == 200
    assert rep.post(reverse("marketing-surveys:survey-send", args=[survey.pk])).status_code == 403
    assert rep.get(reverse("marketing-surveys:survey-responses-csv", args=[survey.pk])).status_code == 403
    assert rep.post(reverse("marketing-surveys:survey-delete", args=[survey.pk])).status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_another_workspaces_surveys_are_not_found(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        question = survey.questions.order_by("position").last()
        contact = ContactFactory(email="dana@example.test")
    assert question is not None
    with beta.active():
        assert not Survey.objects.filter(pk=survey.pk).exists()
    paths = [
        ("get", reverse("marketing-surveys:survey-detail", args=[survey.pk]), {}),
        ("get", reverse("marketing-surveys:survey-edit", args=[survey.pk]), {}),
        ("post", reverse("marketing-surveys:survey-edit", args=[survey.pk]), _builder_data()),
        ("post", reverse("marketing-surveys:survey-status", args=[survey.pk]), {"status": "closed"}),
        ("post", reverse("marketing-surveys:survey-share", args=[survey.pk]), {}),
        ("post", reverse("marketing-surveys:survey-send", args=[survey.pk]), {"addresses": "a@example.test"}),
        ("post", reverse("marketing-surveys:survey-delete", args=[survey.pk]), {}),
        ("get", reverse("marketing-surveys:survey-responses", args=[survey.pk]), {}),
        ("get", reverse("marketing-surveys:survey-responses-csv", args=[survey.pk]), {}),
        ("get", reverse("marketing-surveys:survey-text-answers", args=[survey.pk, question.pk]), {}),
        ("get", reverse("marketing-surveys:contact-nps", args=[contact.pk]), {}),
    ]
    assert_cross_tenant_requests_fail(alpha, beta, paths)


def test_a_workspace_without_marketing_gets_the_not_in_plan_page(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
    without_modules(alpha, "marketing")
    client = alpha.client()
    for url in (
        reverse("marketing-surveys:survey-list"),
        reverse("marketing-surveys:survey-detail", args=[survey.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "errors/not_in_plan.html" in [template.name for template in response.templates]
