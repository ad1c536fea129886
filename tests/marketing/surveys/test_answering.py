"""Answering through a link: the response and its answers, the contact's NPS, timeline and outbox
event in one go; answering again changes the same response; bad input names the question and
stores nothing; forged, other workspaces' and closed links record nothing."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse

from customization.events.models import DomainEvent
from modules.contacts.models import TimelineEntry
from modules.marketing.surveys.choices import ShareMode, SurveyStatus
from modules.marketing.surveys.models import Answer, ContactNps, Invitation, Response
from modules.marketing.surveys.services.surveys import new_share_link
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.marketing.surveys.conftest import fields, make_survey, personal_token
from tests.tenancy import TenantFixture, schema_snapshot


def _page(token: str) -> str:
    return reverse("survey-public:page", args=[token])


def test_a_contact_answers_without_signing_in_and_everything_follows(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        contact = ContactFactory(email="dana@example.test")
        token = personal_token(survey, contact)
        data = fields(survey, "3", "Pro", ["Mail", "Cases"], "Faster replies")
    client = alpha.client(None)

    page = client.get(_page(token))
    assert page.status_code == 200
    assert "How likely are you to recommend us?" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    answered = client.post(_page(token), data)

    assert answered.status_code == 200
    assert 'data-testid="survey-message"' in answered.content.decode()
    with alpha.active():
        response = Response.objects.get()
        assert (response.contact_id, response.score, response.category) == (contact.pk, 3, "detractor")
        assert sorted(str(answer.value) for answer in response.answers.all()) == sorted(
            ["3", "['Pro']", "['Mail', 'Cases']", "Faster replies"]
        )
        invitation = Invitation.objects.get()
        assert invitation.opened_at is not None
        assert invitation.answered_at is not None
        nps = ContactNps.objects.get(contact=contact)
        assert (nps.score, nps.category, nps.survey_id) == (3, "detractor", survey.pk)
        entry = TimelineEntry.objects.get(kind="survey_answered", contact=contact)
        assert entry.data == {
            "survey": survey.pk, "name": "Quarterly NPS", "response": response.pk, "score": 3, "category": "detractor"
        }  # fmt: skip
        event = DomainEvent.objects.get(type="survey.answered")
        assert (event.entity, event.record_id) == ("contact", contact.pk)
        assert event.data == {"id": survey.pk, "response": response.pk, "score": 3, "category": "detractor"}


def test_answering_again_changes_the_same_response(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        contact = ContactFactory(email="dana@example.test")
        token = personal_token(survey, contact)
        first, second = fields(survey, "3", "Basic"), fields(survey, "10")
    client = alpha.client(None)
    assert client.post(_page(token), first).status_code == 200
    again = client.get(_page(token))
    assert "You have answered already" in again.content.decode()
    assert client.post(_page(token), second).status_code == 200

    with alpha.active():
        response = Response.objects.get()
        assert (response.score, response.category) == (10, "promoter")
        assert [answer.value for answer in response.answers.all()] == [10]
        assert ContactNps.objects.get(contact=contact).category == "promoter"
        assert DomainEvent.objects.filter(type="survey.answered").count() == 2


def test_bad_answers_name_the_question_and_store_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        contact = ContactFactory(email="dana@example.test")
        token = personal_token(survey, contact)
        nps, single, multiple, text = (f"q{q.pk}" for q in survey.questions.order_by("position"))
    client = alpha.client(None)
    for data, field in (
        ({}, nps),
        ({nps: "11"}, nps),
        ({nps: "-1"}, nps),
        ({nps: "seven"}, nps),
        ({nps: "7", single: "Gold"}, single),
        ({nps: "7", single: ["Basic", "Pro"]}, single),
        ({nps: "7", multiple: ["Mail", "Fax"]}, multiple),
        ({nps: "7", text: "x" * 5001}, text),
        ({nps: "7", text: "a\x00b"}, text),
    ):
        response = client.post(_page(token), data)
        assert response.status_code == 400, data
        body = response.content.decode()
        assert 'data-testid="survey-errors"' in body, data
        label = {nps: "recommend", single: "Which plan", multiple: "What do you use", text: "improve"}[field]
        assert label in body, data
    huge = client.post(_page(token), {nps: "7", text: "y" * 3_000_000})
    assert huge.status_code == 400
    with alpha.active():
        assert not Response.objects.exists()
        assert not Answer.objects.exists()
        assert not DomainEvent.objects.filter(type="survey.answered").exists()


def test_forged_other_workspaces_and_closed_links_record_nothing(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        token = personal_token(survey, ContactFactory(email="dana@example.test"))
        data = fields(survey, "9")
    raw, signature = token.rsplit(":", 1)
    forged = f"{raw[:-1]}{'A' if raw[-1] != 'A' else 'B'}:{signature}"

    before = schema_snapshot(beta.tenant)
    assert beta.client(None).get(_page(token)).status_code == 404
    assert beta.client(None).post(_page(token), data).status_code == 404
    assert schema_snapshot(beta.tenant) == before
    connection.set_schema_to_public()
    before = schema_snapshot(alpha.tenant)
    for bad in (forged, "not-a-token", f"{token}x", "a" * 300):
        assert alpha.client(None).post(_page(bad), data).status_code == 404, bad
    assert schema_snapshot(alpha.tenant) == before
    connection.set_schema_to_public()

    with alpha.active():
        survey.status = SurveyStatus.CLOSED
        survey.save()
    closed = alpha.client(None).post(_page(token), data)
    assert closed.status_code == 410
    with alpha.active():
        assert not Response.objects.exists()


def test_a_workspace_without_marketing_answers_404(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        token = personal_token(survey, ContactFactory(email="dana@example.test"))
        data = fields(survey, "9")
    without_modules(alpha, "marketing")
    assert alpha.client(None).post(_page(token), data).status_code == 404
    with alpha.active():
        assert not Response.objects.exists()


def test_the_shareable_link_takes_anonymous_answers_or_asks_for_an_address(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha, share_mode=ShareMode.ANONYMOUS)
        anonymous = new_share_link(survey, by=alpha.user())
        data = fields(survey, "8")
    client = alpha.client(None)
    assert client.post(_page(anonymous), data).status_code == 200
    assert client.post(_page(anonymous), data).status_code == 200
    with alpha.active():
        assert list(Response.objects.values_list("contact", "score", "category")) == [(None, 8, "passive")] * 2
        assert not DomainEvent.objects.filter(type="survey.answered").exists()
        survey.share_mode = ShareMode.EMAIL
        survey.save()
        asking = new_share_link(survey, by=alpha.user())
        known = ContactFactory(email="Known@Example.test")
    assert client.post(_page(anonymous), data).status_code == 404  # replaced by the new link
    refused = client.post(_page(asking), data)
    assert refused.status_code == 400
    assert "e-mail address" in refused.content.decode()
    assert client.post(_page(asking), {**data, "email": "known@example.test"}).status_code == 200
    with alpha.active():
        latest = Response.objects.order_by("-id").first()
        assert latest is not None
        assert (latest.contact_id, latest.email) == (known.pk, "known@example.test")
        assert ContactNps.objects.get(contact=known).category == "passive"
