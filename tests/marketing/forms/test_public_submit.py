"""A visitor submits a web form on the tenant's host, from the embed script (JSON, CORS) or a plain
HTML form: a lead or contact, the submission, a timeline entry and the ``form.submitted`` event, all
or nothing."""

from __future__ import annotations

import json

import pytest

from customization.events.models import DomainEvent
from modules.contacts.models import Contact, TimelineEntry
from modules.marketing.webforms import protection
from modules.marketing.webforms.models import Submission
from modules.sales.models import Lead
from tests.factories import ContactFactory, LeadFactory
from tests.marketing.forms.conftest import ALLOWED, filled, make_form, old_token, post_json
from tests.tenancy import TenantFixture, schema_snapshot

pytestmark = pytest.mark.django_db


def test_a_submission_creates_a_lead_with_its_timeline_entry_and_event(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    values = {"company_name": "Engines Ltd", "utm_source": "newsletter", "utm_medium": "email",
              "utm_campaign": "spring", "_page": "https://www.example.test/demo"}  # fmt: skip
    response = post_json(alpha.client(None), form, filled(alpha, form, **values))
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    with alpha.active():
        lead = Lead.objects.get(email="ada@example.test")
        assert (lead.first_name, lead.last_name, lead.company_name, lead.source) == (
            "Ada",
            "Lovelace",
            "Engines Ltd",
            "email_campaign",
        )
        submission = Submission.objects.get(form=form)
        assert submission.status == "accepted"
        assert submission.lead == lead
        assert submission.contact is None
        assert (submission.utm_source, submission.utm_medium, submission.utm_campaign) == (
            "newsletter",
            "email",
            "spring",
        )
        assert submission.page_url == "https://www.example.test/demo"
        entry = TimelineEntry.objects.get(lead=lead, kind="form_submitted")
        assert entry.data["form"] == "demo-request"
        assert entry.data["utm"]["utm_campaign"] == "spring"
        event = DomainEvent.objects.get(type="form.submitted")
        assert (event.entity, event.record_id) == ("lead", lead.pk)
        assert event.data == {"form": "demo-request", "id": form.pk, "submission": submission.pk}


def test_a_contact_form_creates_a_contact(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form(creates="contact", key="newsletter")
    response = post_json(alpha.client(None), form, filled(alpha, form))
    assert response.status_code == 200
    with alpha.active():
        contact = Contact.objects.get(email="ada@example.test")
        assert contact.source == "website"
        assert Submission.objects.get(form=form).contact == contact
        assert DomainEvent.objects.get(type="form.submitted").entity == "contact"


@pytest.mark.parametrize(
    ("on_duplicate", "status", "leads", "last_name"),
    [("update", "accepted", 1, "Byron"), ("skip", "duplicate", 1, "Lovelace"), ("create", "accepted", 2, "Lovelace")],
)
def test_a_known_address_is_handled_as_the_form_says(
    alpha: TenantFixture, on_duplicate: str, status: str, leads: int, last_name: str
) -> None:
    with alpha.active():
        form = make_form(on_duplicate=on_duplicate)
        existing = LeadFactory(email="ADA@example.test", first_name="Ada", last_name="Lovelace")
    response = post_json(alpha.client(None), form, filled(alpha, form, last_name="Byron", email="ada@example.test"))
    assert response.status_code == 200
    with alpha.active():
        assert Lead.objects.filter(email__iexact="ada@example.test").count() == leads
        existing.refresh_from_db()
        assert existing.last_name == last_name
        submission = Submission.objects.get(form=form)
        assert submission.status == status
        if on_duplicate != "create":
            assert submission.lead == existing


def test_a_contact_form_updates_the_contact_with_the_address(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form(creates="contact", key="newsletter")
        contact = ContactFactory(email="ada@example.test", first_name="Ada", last_name="Old")
    assert post_json(alpha.client(None), form, filled(alpha, form)).status_code == 200
    with alpha.active():
        contact.refresh_from_db()
        assert contact.last_name == "Lovelace"
        assert Contact.objects.filter(email="ada@example.test").count() == 1


def test_errors_name_each_field_and_write_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        before = schema_snapshot(alpha.tenant)
    response = post_json(alpha.client(None), form, filled(alpha, form, last_name="", email="not-an-address"))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"last_name", "email"}
    assert schema_snapshot(alpha.tenant) == before


@pytest.mark.parametrize(
    "values",
    [
        {"last_name": "Love\x00lace"},
        {"last_name": "x" * 100_000},
        {"company_name": "y" * 201},
        {"email": {"not": "text"}},
    ],
)
def test_bad_input_is_a_400_never_a_500_nor_a_half_written_record(alpha: TenantFixture, values: dict) -> None:
    with alpha.active():
        form = make_form()
    response = post_json(alpha.client(None), form, filled(alpha, form, **values))
    assert response.status_code == 400
    assert response.json()["errors"]
    with alpha.active():
        assert not Lead.objects.exists()
        assert not Submission.objects.exists()


def test_unreadable_bodies_are_refused(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    client = alpha.client(None)
    for body in (b"{not json", b"[1, 2]", b'"\\u0000"', b"\xff\xfe"):
        response = client.post(f"/f/{form.key}/submit", body, content_type="application/json", HTTP_ORIGIN=ALLOWED)
        assert response.status_code == 400
    with alpha.active():
        assert not Submission.objects.exists()


def test_a_plain_html_form_posts_then_lands_on_the_thank_you_page(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form(thank_you_message="We will call you.")
    client = alpha.client(None)
    response = client.post(f"/f/{form.key}/submit", filled(alpha, form), HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 302
    assert response["Location"] == f"/f/{form.key}/thanks"
    assert "We will call you." in client.get(response["Location"]).content.decode()
    with alpha.active():
        assert Lead.objects.filter(email="ada@example.test").exists()


def test_the_hosted_page_shows_errors_on_its_form(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    client = alpha.client(None)
    response = client.post(f"/f/{form.key}/submit", filled(alpha, form, email="nope"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="nope"' in page
    assert "is-invalid" in page
    assert "Enter a valid e-mail address." in page


def test_a_redirect_url_is_where_the_visitor_goes(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form(redirect_url="https://www.example.test/thanks")
    client = alpha.client(None)
    response = client.post(f"/f/{form.key}/submit", filled(alpha, form))
    assert (response.status_code, response["Location"]) == (302, "https://www.example.test/thanks")
    assert (
        post_json(client, form, filled(alpha, form, email="b@example.test")).json()["redirect"]
        == "https://www.example.test/thanks"
    )


def test_the_hosted_page_is_in_the_forms_language_and_counts_a_view(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form(language="fr", fields=[
            {"field": "last_name", "required": True, "label": {"fr": "Nom de famille", "en": "Surname"}},
            {"field": "email", "required": True},
        ])  # fmt: skip
    response = alpha.client(None).get(f"/f/{form.key}/?utm_source=ads&utm_campaign=spring")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Nom de famille" in page
    assert 'name="utm_source" value="ads"' in page
    assert 'name="utm_campaign" value="spring"' in page
    assert f'name="{protection.HONEYPOT}"' in page
    form.refresh_from_db()
    assert form.views == 1


def test_the_hosted_page_survives_a_round_trip_without_javascript(alpha: TenantFixture) -> None:
    """What a browser without scripts posts: the page's own inputs, hidden ones included."""
    with alpha.active():
        form = make_form()
    client = alpha.client(None)
    client.get(f"/f/{form.key}/?utm_source=ads")
    response = client.post(
        f"/f/{form.key}/submit", {**filled(alpha, form), "utm_source": "ads", protection.HONEYPOT: ""}
    )
    assert response.status_code == 302
    with alpha.active():
        assert Submission.objects.get().utm_source == "ads"


def test_the_embed_config_lists_the_inputs_for_an_allowed_origin(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    response = alpha.client(None).get(f"/f/{form.key}/config", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    body = json.loads(response.content)
    assert [field["name"] for field in body["inputs"]] == ["first_name", "last_name", "email", "company_name"]
    assert body["submit_url"].endswith(f"/f/{form.key}/submit")
    with alpha.active():
        assert protection.token_problem(form, body["token"]) == "too_fast"
        assert protection.token_problem(form, old_token(alpha, form)) is None
