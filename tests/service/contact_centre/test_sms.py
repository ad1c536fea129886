"""SMS to customers on case events, through the fake Twilio: sent once per event after the commit,
retried while Twilio is down, delivery reports applied; consent and the tenant's choice respected."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from modules.contacts.models import TimelineEntry
from modules.service.choices import MessageAuthor, StatusCategory
from modules.service.contact_centre.models import SmsConsent, SmsMessage
from modules.service.services.cases import add_message, update_case
from modules.service.services.statuses import status_for
from tests.factories import CompanyFactory, ContactFactory
from tests.service.conftest import make_case
from tests.service.contact_centre.conftest import WORKSPACE_NUMBER, configure
from tests.service.contact_centre.fake_twilio import FakeTwilio, signed_post
from tests.tenancy import REP_EMAIL, TenantFixture

ALL_EVENTS = ["case_opened", "agent_replied", "case_solved"]


@pytest.fixture
def customer(alpha: TenantFixture) -> Any:
    with alpha.active():
        contact = ContactFactory(phone="+49 170 5551234", email="sam@example.test", company=CompanyFactory())
        SmsConsent.objects.create(contact=contact)
    return contact


def _sent(fake: FakeTwilio) -> list[dict[str, str]]:
    return [request.params for request in fake.of("Messages")]


def test_each_switched_on_event_sends_one_sms_after_the_commit(
    alpha: TenantFixture, fake_twilio: FakeTwilio, customer: Any, eager_tasks: None, django_capture_on_commit_callbacks
):
    configure(alpha, sms_events=ALL_EVENTS)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        case = make_case(alpha, contact=customer)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="We are on it.")
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, kind="note", body_text="Internal only")
        update_case(case, by=alpha.user(), status=status_for(StatusCategory.SOLVED))
        update_case(case, by=alpha.user(), subject="Renamed")  # no SMS event
    sent = _sent(fake_twilio)
    assert [params["To"] for params in sent] == ["+491705551234"] * 3
    assert {params["From"] for params in sent} == {WORKSPACE_NUMBER}
    assert [case.number in params["Body"] for params in sent] == [True, True, True]
    assert "solved" in sent[2]["Body"]
    assert sent[0]["StatusCallback"] == f"https://{alpha.host}/hooks/telephony/sms/status/"
    with alpha.active():
        assert sorted(SmsMessage.objects.values_list("event", "status")) == [
            ("agent_replied", "queued"), ("case_opened", "queued"), ("case_solved", "queued"),
        ]  # fmt: skip
        assert TimelineEntry.objects.filter(kind="sms", contact=customer).count() == 3


def test_a_task_run_twice_sends_once(
    alpha: TenantFixture, fake_twilio: FakeTwilio, customer: Any, eager_tasks: None, django_capture_on_commit_callbacks
):
    from modules.service.contact_centre.tasks import send_sms

    configure(alpha, sms_events=["case_opened"])
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        make_case(alpha, contact=customer)
    with alpha.active():
        sms = SmsMessage.objects.get()
        assert send_sms.apply(args=[sms.pk]).get() == "nothing-to-do"
    assert len(_sent(fake_twilio)) == 1


def test_twilio_down_is_retried_until_it_answers(
    alpha: TenantFixture, fake_twilio: FakeTwilio, customer: Any, eager_tasks: None, django_capture_on_commit_callbacks
):
    configure(alpha, sms_events=["case_opened"])
    fake_twilio.fail_next(2)
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        make_case(alpha, contact=customer)
    assert len(_sent(fake_twilio)) == 3
    with alpha.active():
        sms = SmsMessage.objects.get()
        assert (sms.status, sms.attempts) == ("queued", 3)
        assert TimelineEntry.objects.filter(kind="sms").count() == 1


def test_no_consent_or_event_switched_off_sends_nothing(
    alpha: TenantFixture, fake_twilio: FakeTwilio, eager_tasks: None, django_capture_on_commit_callbacks
):
    configure(alpha, sms_events=["case_solved"])
    with alpha.active():
        no_consent = ContactFactory(phone="+491705551234")
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        make_case(alpha, contact=no_consent)  # opened: switched off; and no consent
    with alpha.active():
        assert not SmsMessage.objects.exists()
    assert fake_twilio.requests == []


def test_a_delivery_report_updates_the_message_and_a_forged_one_changes_nothing(
    alpha: TenantFixture, fake_twilio: FakeTwilio, customer: Any, eager_tasks: None, django_capture_on_commit_callbacks
):
    configure(alpha, sms_events=["case_opened"])
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        make_case(alpha, contact=customer)
    with alpha.active():
        sid = SmsMessage.objects.get().provider_sid
    url = reverse("contact-centre-hooks:sms-status")
    forged = alpha.client(None).post(url, {"MessageSid": sid, "MessageStatus": "failed"}, HTTP_X_TWILIO_SIGNATURE="x")
    other = signed_post(
        alpha.client(None), url, {"MessageSid": sid, "MessageStatus": "failed"}, token="no", host=alpha.host
    )
    assert (forged.status_code, other.status_code) == (403, 403)
    with alpha.active():
        assert SmsMessage.objects.get().status == "queued"
    delivered = signed_post(alpha.client(None), url, {"MessageSid": sid, "MessageStatus": "delivered"}, host=alpha.host)
    late = signed_post(alpha.client(None), url, {"MessageSid": sid, "MessageStatus": "sent"}, host=alpha.host)
    assert (delivered.status_code, late.status_code) == (204, 204)
    with alpha.active():
        assert SmsMessage.objects.get().status == "delivered"


def test_sms_consent_is_recorded_by_agents_of_this_workspace_only(
    alpha: TenantFixture, beta: TenantFixture, customer: Any
):
    url = reverse("contact-centre:sms-consent", args=[customer.pk])
    assert alpha.client(REP_EMAIL).post(url, {"consent": "no"}).status_code == 403
    assert beta.client().post(url, {"consent": "no"}).status_code == 404
    bad = alpha.client().post(url, {"consent": "maybe"})
    assert bad.status_code == 400
    assert "consent" in bad.content.decode()
    with alpha.active():
        assert SmsConsent.objects.filter(contact=customer).exists()
    assert alpha.client().post(url, {"consent": "no"}).status_code == 302
    with alpha.active():
        assert not SmsConsent.objects.filter(contact=customer).exists()


def test_the_sms_is_written_in_the_customers_language_not_the_agents(
    alpha: TenantFixture, fake_twilio: FakeTwilio, customer: Any, eager_tasks: None, django_capture_on_commit_callbacks
):
    configure(alpha, sms_events=["case_solved"])
    french = make_case(alpha, contact=customer, language="fr")
    later = make_case(alpha, contact=customer)  # no language of its own: the customer's earlier one
    with alpha.active(), translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        update_case(french, by=alpha.user(), status=status_for(StatusCategory.SOLVED))
        update_case(later, by=alpha.user(), status=status_for(StatusCategory.SOLVED))
    bodies = [params["Body"] for params in _sent(fake_twilio)]
    assert bodies == [
        f"Votre demande {french.number} « {french.subject} » est résolue.",
        f"Votre demande {later.number} « {later.subject} » est résolue.",
    ]
