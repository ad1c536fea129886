"""Sending: a segment's contacts get a personal link by e-mail through a real SMTP server, once
per survey, never a suppressed address; the link answers the survey."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from modules.marketing.choices import SuppressionReason
from modules.marketing.models import Segment, SegmentMember, Suppression
from modules.marketing.surveys.choices import SurveyStatus
from modules.marketing.surveys.models import ContactNps, Invitation, Response
from modules.marketing.surveys.services.sending import invite_segment, send_pending
from tests.factories import ContactFactory
from tests.marketing.surveys.conftest import fields, link_paths, make_survey
from tests.tenancy import TenantFixture


@pytest.fixture
def audience(alpha: TenantFixture) -> Segment:
    with alpha.active():
        segment = Segment.objects.create(name="Customers")
        for email in ("ana@example.test", "ion@example.test", "gone@example.test"):
            SegmentMember.objects.create(segment=segment, contact=ContactFactory(email=email, first_name="Ana"))
        SegmentMember.objects.create(segment=segment, contact=ContactFactory(email=""))
        Suppression.objects.create(email="GONE@example.test", reason=SuppressionReason.UNSUBSCRIBED)
        return segment


def test_a_segment_is_invited_once_and_answers_through_its_links(
    alpha: TenantFixture, audience: Segment, smtp_server: Any, eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with alpha.active():
        survey = make_survey(alpha, email_subject="Tell us how we do")
        with django_capture_on_commit_callbacks(execute=True):
            assert invite_segment(survey, audience, by=alpha.user()) == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert invite_segment(survey, audience, by=alpha.user()) == 0  # already invited
        assert send_pending(survey.pk) == {}  # a task run again sends nothing twice

    assert sorted(str(message["To"]) for message in smtp_server.messages) == ["ana@example.test", "ion@example.test"]
    message = smtp_server.to("ana@example.test")[0]
    assert message["Subject"] == "Tell us how we do"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/m/" in message["List-Unsubscribe"]
    assert "Hello Ana" in message.get_body(preferencelist=("plain",)).get_content()
    paths = link_paths(smtp_server.messages)
    assert len(set(paths)) == 2
    with alpha.active():
        assert Invitation.objects.filter(sent_at__isnull=False).count() == 2
        assert not Invitation.objects.filter(email__iexact="gone@example.test").exists()
        data = fields(survey, "10")
        ana = Invitation.objects.get(email="ana@example.test").contact

    by_address = dict(zip((str(message["To"]) for message in smtp_server.messages), paths, strict=True))
    answered = alpha.client(None).post(by_address["ana@example.test"], data)
    assert answered.status_code == 200
    with alpha.active():
        assert Response.objects.get().contact_id == ana.pk
        assert ContactNps.objects.get().contact_id == ana.pk


def test_an_address_suppressed_after_the_invitation_gets_nothing(
    alpha: TenantFixture, audience: Segment, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        invite_segment(survey, audience, by=alpha.user())
        Suppression.objects.create(email="ion@example.test", reason=SuppressionReason.COMPLAINT)
        assert send_pending(survey.pk) == {"sent": 1, "suppressed": 1}
    assert [str(message["To"]) for message in smtp_server.messages] == ["ana@example.test"]


def test_only_an_open_survey_with_questions_is_sent(alpha: TenantFixture, audience: Segment) -> None:
    with alpha.active():
        draft = make_survey(alpha, status=SurveyStatus.DRAFT)
        with pytest.raises(ValidationError) as closed:
            invite_segment(draft, audience, by=alpha.user())
        empty = make_survey(alpha, questions=[])
        with pytest.raises(ValidationError) as no_questions:
            invite_segment(empty, audience, by=alpha.user())
        assert not Invitation.objects.exists()
    assert "status" in closed.value.message_dict
    assert "questions" in no_questions.value.message_dict
