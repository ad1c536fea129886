"""Settings → Webhooks pages: who may open them, the form and its errors, secrets, test events,
replays, re-enabling, and what the lists cost."""

from __future__ import annotations

import pytest
from django.utils import timezone

from api.webhooks.models import Delivery, WebhookEndpoint
from api.webhooks.services.deliveries import send_test_event
from api.webhooks.services.endpoints import disable_endpoint
from api.webhooks.services.sending import attempt_delivery
from tests.api.webhooks.conftest import Receiver, make_endpoint
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot


@pytest.mark.parametrize("path", ["/settings/webhooks/", "/settings/webhooks/new/"])
def test_a_rep_without_the_permission_gets_403(path: str, alpha: TenantFixture) -> None:
    response = alpha.client(REP_EMAIL).get(path)
    assert response.status_code == 403
    assert "Manage OAuth applications and webhooks" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(alpha: TenantFixture) -> None:
    response = alpha.client(None).get("/settings/webhooks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_an_admin_creates_an_endpoint_with_filters(alpha: TenantFixture, receiver: Receiver) -> None:
    client = alpha.client()
    form = client.get("/settings/webhooks/new/")
    assert form.status_code == 200
    assert 'value="deal.stage_changed"' in form.content.decode()

    response = client.post(
        "/settings/webhooks/new/",
        {
            "url": receiver.url, "description": "ERP", "event_types": ["contact.updated", "deal.stage_changed"],
            "entities": ["contact", "deal"], "changed_fields": ["contact:email", "contact:owner"],
        },
    )  # fmt: skip

    with alpha.active():
        endpoint = WebhookEndpoint.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/settings/webhooks/{endpoint.pk}/"
        assert (endpoint.url, endpoint.description, endpoint.is_enabled) == (receiver.url, "ERP", True)
        assert endpoint.event_types == ["contact.updated", "deal.stage_changed"]
        assert endpoint.entities == ["contact", "deal"]
        assert endpoint.changed_fields == {"contact": ["email", "owner"]}
        assert endpoint.secrets.get().secret.startswith("whsec_")
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "whsec_" in detail.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": ""}, "url", "This field is required."),
        ({"url": "ftp://example.test/"}, "url", "Enter a valid http:// or https:// URL."),
        ({"url": "{receiver}", "event_types": ["contact.exploded"]}, "event_types", "Select a valid choice."),
        ({"url": "{receiver}", "entities": ["planet"]}, "entities", "Select a valid choice."),
        ({"url": "{receiver}", "changed_fields": ["contact:shoe_size"]}, "changed_fields", "Select a valid choice."),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(
    data: dict[str, object], field: str, message: str, alpha: TenantFixture, receiver: Receiver
) -> None:
    posted = {
        key: (value.format(receiver=receiver.url) if isinstance(value, str) else value) for key, value in data.items()
    }
    client = alpha.client()  # signing in touches last_login: before the snapshot
    before = schema_snapshot(alpha.tenant)

    response = client.post("/settings/webhooks/new/", posted)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert f'data-testid="{field}-errors"' in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_an_internal_url_is_refused_on_the_form(alpha: TenantFixture, settings) -> None:
    settings.OUTBOUND_HTTP_ALLOW_PRIVATE = False
    response = alpha.client().post("/settings/webhooks/new/", {"url": "http://169.254.169.254/latest/"})
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == [
        "169.254.169.254 resolves to an internal address (169.254.169.254); requests there are refused."
    ]


def test_editing_keeps_the_secret_and_changes_the_filters(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url, event_types=["contact.created"])
        secret = endpoint.secrets.get().secret
    client = alpha.client()
    assert (
        'value="contact.created" id="type-contactcreated" checked'
        in client.get(f"/settings/webhooks/{endpoint.pk}/edit/").content.decode()
    )

    response = client.post(f"/settings/webhooks/{endpoint.pk}/edit/", {"url": receiver.url + "?v=2"})

    assert response.status_code == 302
    with alpha.active():
        endpoint.refresh_from_db()
        assert (endpoint.url, endpoint.event_types) == (receiver.url + "?v=2", [])
        assert endpoint.secrets.get().secret == secret


def test_reveal_rotate_test_event_and_replay(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        secret = endpoint.secrets.get()
    client = alpha.client()

    revealed = client.get(f"/settings/webhooks/{endpoint.pk}/secrets/{secret.pk}/")
    assert secret.secret in revealed.content.decode()
    assert revealed["Cache-Control"] == "no-store"

    assert client.post(f"/settings/webhooks/{endpoint.pk}/rotate/", {"previous_expires": "1"}).status_code == 302
    with alpha.active():
        assert endpoint.secrets.count() == 2

    sent = client.post(f"/settings/webhooks/{endpoint.pk}/test/")
    with alpha.active():
        delivery = Delivery.objects.get(endpoint=endpoint)
        assert sent["Location"] == f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/"
        attempt_delivery(delivery.pk)
    page = client.get(sent["Location"]).content.decode()
    assert delivery.webhook_id in page
    for shown in ("HTTP 200", "answer 200", "webhook-signature"):
        assert shown in page

    assert client.post(f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/").status_code == 302
    with alpha.active():
        attempt_delivery(delivery.pk)
        assert list(delivery.attempts.values_list("trigger", flat=True)) == ["scheduled", "replay"]
    assert len({request["headers"]["webhook-id"] for request in receiver.requests}) == 1


def test_a_disabled_endpoint_is_announced_and_can_be_re_enabled(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        disable_endpoint(endpoint, reason="gone", detail="bye")
    client = alpha.client()

    listing = client.get("/settings/webhooks/").content.decode()
    assert 'data-testid="disabled-notice"' in listing
    assert "The endpoint answered 410 Gone" in listing

    response = client.post(f"/settings/webhooks/{endpoint.pk}/enabled/", {"enabled": "1"})

    assert response.status_code == 302
    with alpha.active():
        endpoint.refresh_from_db()
        assert (endpoint.is_enabled, endpoint.disabled_reason) == (True, "")
    assert 'data-testid="disabled-notice"' not in client.get("/settings/webhooks/").content.decode()


def test_delete_removes_the_endpoint_and_its_log(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        send_test_event(endpoint)
    response = alpha.client().post(f"/settings/webhooks/{endpoint.pk}/delete/")
    assert response.status_code == 302
    with alpha.active():
        assert not WebhookEndpoint.objects.exists()
        assert not Delivery.objects.exists()


def test_pages_cost_the_same_number_of_queries_for_many_rows(
    alpha: TenantFixture, receiver: Receiver, django_assert_max_num_queries
) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
    client = alpha.client()
    client.get("/settings/webhooks/")  # warm the session and permissions caches
    with django_assert_max_num_queries(8):
        client.get("/settings/webhooks/")
    with django_assert_max_num_queries(10):
        client.get(f"/settings/webhooks/{endpoint.pk}/")

    with alpha.active():
        for index in range(20):
            make_endpoint(receiver.url + f"?n={index}")
        Delivery.objects.bulk_create(
            Delivery(endpoint=endpoint, event_type="webhook.test", webhook_id=f"msg_{n}", payload="{}",
                     next_attempt_at=timezone.now())
            for n in range(60)
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        listing = client.get("/settings/webhooks/")
    assert len(listing.context["endpoints"]) == 21
    with django_assert_max_num_queries(10):
        detail = client.get(f"/settings/webhooks/{endpoint.pk}/")
    assert len(detail.context["deliveries"]) == 50
    assert detail.context["next_before"] is not None
