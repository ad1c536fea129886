"""Subscription checkboxes on a contact form: a ticked topic is recorded with the submission as its
proof, at once or pending a double opt-in; an unticked one records nothing."""

from __future__ import annotations

import pytest

from modules.contacts.models import Contact
from modules.marketing.consent.models import Consent, ConsentEvent, OptInRequest
from modules.marketing.models import Topic
from modules.marketing.webforms.models import Submission
from tests.marketing.forms.conftest import FIELDS, filled, make_form, post_json
from tests.tenancy import TenantFixture

pytestmark = pytest.mark.django_db


def test_ticked_topics_are_recorded_with_the_submission_as_proof(alpha: TenantFixture) -> None:
    with alpha.active():
        news = Topic.objects.create(key="news", name="News")
        events = Topic.objects.create(key="events", name="Events")
        webinars = Topic.objects.create(key="webinars", name="Webinars")
        form = make_form(creates="contact", key="newsletter", fields=FIELDS[:3], consents=[
            {"topic": news.pk, "double_opt_in": False},
            {"topic": events.pk, "double_opt_in": True},
            {"topic": webinars.pk, "double_opt_in": False},
        ])  # fmt: skip
    ticked = {f"consent_{news.pk}": "true", f"consent_{events.pk}": "true"}
    response = post_json(alpha.client(None), form, filled(alpha, form, **ticked))
    assert response.status_code == 200
    with alpha.active():
        contact = Contact.objects.get(email="ada@example.test")
        submission = Submission.objects.get()
        assert sorted(submission.consents) == sorted([news.pk, events.pk])
        statuses = dict(Consent.objects.filter(contact=contact).values_list("topic__key", "status"))
        assert statuses == {"news": "granted", "events": "pending"}
        proof = ConsentEvent.objects.filter(contact=contact, topic=news).get().proof
        assert (proof["form"], proof["submission"], proof["ip"]) == ("newsletter", submission.pk, "127.0.0.1")
        request = OptInRequest.objects.get(contact=contact)
        assert (request.topic, request.confirmed_at) == (events, None)


def test_erasing_a_contact_scrubs_its_submissions(alpha: TenantFixture) -> None:
    from modules.contacts.services.data_subject import erase_contact

    with alpha.active():
        form = make_form(creates="contact", key="newsletter", fields=FIELDS[:3])
    assert post_json(alpha.client(None), form, filled(alpha, form)).status_code == 200
    with alpha.active():
        contact = Contact.objects.get(email="ada@example.test")
        erase_contact(contact, by=alpha.user())
        submission = Submission.objects.get()
        assert (submission.data, submission.contact, submission.ip_address, submission.user_agent) == (
            {},
            None,
            None,
            "",
        )
