"""The public consent links: RFC 8058 one-click unsubscribe (a POST without cookies or CSRF token),
the preference page a GET shows (and which never unsubscribes: mail scanners open links), other
workspaces' and tampered tokens (404, nothing recorded), the plan gate and the rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from customization.events.models import DomainEvent
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.consent.services import list_unsubscribe_headers, record_consent, unsubscribe_url
from modules.marketing.models import Suppression, Topic
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.marketing.consent.conftest import make_topic
from tests.tenancy import TenantFixture

ONE_CLICK = "List-Unsubscribe=One-Click"


def _strict_client(tenant: TenantFixture) -> Client:
    """As a mailbox provider posts: no session, no cookies, CSRF checks on."""
    return Client(HTTP_HOST=tenant.host, enforce_csrf_checks=True)


@pytest.fixture
def subscriber(alpha: TenantFixture) -> dict[str, Any]:
    with alpha.active():
        topic = make_topic()
        other = make_topic("events", "Events")
        contact = ContactFactory(email="Ana@Example.com", first_name="Ana")
        for subject in (topic, other):
            record_consent(contact, subject, granted=True, source=ConsentSource.FORM, proof={"language": "ro"})
        return {
            "contact": contact, "topic": topic, "other": other,
            "everything": unsubscribe_url(contact), "topic_url": unsubscribe_url(contact, topic=topic, send=41),
        }  # fmt: skip


def _state(alpha: TenantFixture) -> tuple[int, int, list[str]]:
    with alpha.active():
        return (
            ConsentEvent.objects.count(),
            Suppression.objects.count(),
            sorted(Consent.objects.values_list("status", flat=True)),
        )


def test_the_headers_name_the_https_one_click_url(alpha: TenantFixture, subscriber: dict[str, Any]) -> None:
    with alpha.active():
        headers = list_unsubscribe_headers(subscriber["contact"], request_host=alpha.host)
    assert headers["List-Unsubscribe-Post"] == ONE_CLICK
    assert headers["List-Unsubscribe"] == f"<https://{alpha.host}{subscriber['everything']}>"


def test_one_click_post_unsubscribes_from_everything_without_cookies_or_csrf(
    alpha: TenantFixture, subscriber: dict[str, Any]
) -> None:
    client = _strict_client(alpha)
    first = client.post(subscriber["everything"], ONE_CLICK, content_type="application/x-www-form-urlencoded")
    again = client.post(subscriber["everything"], {"List-Unsubscribe": "One-Click"})

    assert (first.status_code, again.status_code) == (200, 200)
    assert "Set-Cookie" not in first.headers
    assert not first.cookies
    with alpha.active():
        row = Suppression.objects.get()
        assert (row.email, row.reason) == ("ana@example.com", SuppressionReason.UNSUBSCRIBED)
        assert set(Consent.objects.values_list("status", flat=True)) == {ConsentStatus.WITHDRAWN}
        event = ConsentEvent.objects.get(action="suppressed")
        assert event.source == ConsentSource.UNSUBSCRIBE_LINK
        assert event.proof["ip"] == "127.0.0.1"


def test_one_click_of_a_topic_link_withdraws_that_topic_and_reports_the_send(
    alpha: TenantFixture, subscriber: dict[str, Any]
) -> None:
    response = _strict_client(alpha).post(subscriber["topic_url"], {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    with alpha.active():
        statuses = dict(Consent.objects.values_list("topic__key", "status"))
        assert statuses == {"newsletter": ConsentStatus.WITHDRAWN, "events": ConsentStatus.GRANTED}
        assert not Suppression.objects.exists()
        change = DomainEvent.objects.filter(type="consent.changed").order_by("-id").first()
        assert change.data["send_id"] == 41
        assert change.data["status"] == "withdrawn"


def test_a_post_without_the_one_click_body_changes_nothing(alpha: TenantFixture, subscriber: dict[str, Any]) -> None:
    before = _state(alpha)
    assert _strict_client(alpha).post(subscriber["everything"], {"List-Unsubscribe": "No"}).status_code == 400
    assert _state(alpha) == before


def test_get_shows_the_preference_page_in_the_contacts_language_and_never_unsubscribes(
    alpha: TenantFixture, subscriber: dict[str, Any]
) -> None:
    before = _state(alpha)
    for _ in range(3):  # a mail scanner following the link
        response = Client(HTTP_HOST=alpha.host).get(subscriber["everything"])
        assert response.status_code == 200
    page = response.content.decode()
    assert response["Content-Language"] == "ro"
    assert '<html lang="ro">' in page
    assert 'name="topics"' in page
    assert "Newsletter" in page
    assert "ana@example.com".lower() in page.lower()
    assert response["Cache-Control"] == "no-store"
    assert _state(alpha) == before


def test_the_preference_page_falls_back_to_the_workspace_language(alpha: TenantFixture) -> None:
    with alpha.active():
        contact = ContactFactory(email="plain@example.com")
        url = unsubscribe_url(contact)
    response = Client(HTTP_HOST=alpha.host).get(url)
    assert response["Content-Language"] == alpha.tenant.locale


def test_the_preference_form_saves_topics_and_unsubscribes_from_everything(
    alpha: TenantFixture, subscriber: dict[str, Any]
) -> None:
    client = Client(HTTP_HOST=alpha.host)
    page = client.get(subscriber["everything"])
    action = f"{subscriber['everything']}preferences/"
    assert action in page.content.decode()

    kept = client.post(action, {"topics": [str(subscriber["other"].pk)], "save": "1"})
    assert kept.status_code == 200
    assert 'data-testid="preferences-saved"' in kept.content.decode()
    with alpha.active():
        assert dict(Consent.objects.values_list("topic__key", "status")) == {
            "newsletter": "withdrawn",
            "events": "granted",
        }
        assert ConsentEvent.objects.filter(source=ConsentSource.PREFERENCE_PAGE).count() == 1

    gone = client.post(action, {"everything": "1"})
    assert gone.status_code == 200
    with alpha.active():
        assert Suppression.objects.get().reason == SuppressionReason.UNSUBSCRIBED
        assert set(Consent.objects.values_list("status", flat=True)) == {"withdrawn"}


@pytest.mark.parametrize("topics", [["abc"], ["1\x00"], ["9" * 40], [str(n) for n in range(600)]])
def test_bad_preference_input_is_a_400_naming_the_field(
    alpha: TenantFixture, subscriber: dict[str, Any], topics: list[str]
) -> None:
    before = _state(alpha)
    response = Client(HTTP_HOST=alpha.host).post(f"{subscriber['everything']}preferences/", {"topics": topics})
    assert response.status_code == 400
    assert 'data-testid="preferences-error"' in response.content.decode()
    assert _state(alpha) == before


def test_preference_form_requires_the_csrf_token(alpha: TenantFixture, subscriber: dict[str, Any]) -> None:
    before = _state(alpha)
    response = _strict_client(alpha).post(f"{subscriber['everything']}preferences/", {"everything": "1"})
    assert response.status_code == 403
    assert _state(alpha) == before


def test_another_workspaces_and_tampered_tokens_are_404_and_record_nothing(
    alpha: TenantFixture, beta: TenantFixture, subscriber: dict[str, Any]
) -> None:
    url = subscriber["everything"]
    token = url.split("/")[3]
    tampered = url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    with beta.active():  # beta has a contact with the same id and a topic with the same key
        make_topic()
        ContactFactory(email="ana@example.com")
    alpha_before, beta_before = _state(alpha), _state(beta)
    for client, path in ((_strict_client(beta), url), (_strict_client(alpha), tampered)):
        assert client.get(path).status_code == 404
        assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 404
        assert client.post(f"{path}preferences/", {"everything": "1"}).status_code in (403, 404)
    assert Client(HTTP_HOST=beta.host).post(f"{url}preferences/", {"everything": "1"}).status_code == 404
    connection.set_schema_to_public()
    assert (_state(alpha), _state(beta)) == (alpha_before, beta_before)


def test_without_marketing_in_the_plan_the_links_are_404(alpha: TenantFixture, subscriber: dict[str, Any]) -> None:
    without_modules(alpha, "marketing")
    before = _state(alpha)
    client = _strict_client(alpha)
    assert client.get(subscriber["everything"]).status_code == 404
    assert client.post(subscriber["everything"], {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert _state(alpha) == before


def test_guessing_links_is_rate_limited(alpha: TenantFixture, subscriber: dict[str, Any]) -> None:
    client = Client(HTTP_HOST=alpha.host)
    answers = [client.get("/m/u/guess/").status_code for _ in range(21)]
    assert answers[:20] == [404] * 20
    assert answers[20] == 429
    assert client.get(subscriber["everything"]).status_code == 429


def test_topics_stay_in_alphas_schema(alpha: TenantFixture, beta: TenantFixture, subscriber: dict[str, Any]) -> None:
    with beta.active():
        assert not Topic.objects.exists()
