"""Quote sharing events reach webhooks: ``quote.shared``, ``quote.accepted`` and ``quote.declined``
are subscribable, and a customer accepting on the public page is delivered to the subscriber."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from api.webhooks.event_types import known_event_types
from api.webhooks.forms import EndpointForm
from api.webhooks.services.sending import attempt_delivery
from customization.events.models import DomainEvent
from modules.sales.models import Order
from modules.sales.services.quote_sharing import share_quote
from tests.api.webhooks.conftest import Receiver, deliver_events, make_endpoint
from tests.sales.catalog.test_public_quote import customer, draft_quote
from tests.tenancy import TenantFixture


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def test_quote_events_can_be_chosen_by_type_and_record_type(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        form = EndpointForm()
    form_choices = dict(form.fields["event_types"].choices)
    record_types = dict(form.fields["entities"].choices)

    assert {"quote.shared", "quote.accepted", "quote.declined"} <= known_event_types()
    assert [value for value, _label in form_choices["Quote"]] == ["quote.shared", "quote.accepted", "quote.declined"]
    assert "quote" in record_types
    with alpha.active():
        endpoint = make_endpoint(receiver.url, event_types=["quote.accepted"], entities=["quote"])
        assert (endpoint.event_types, endpoint.entities) == (["quote.accepted"], ["quote"])
        with pytest.raises(ValidationError) as refused:
            make_endpoint(receiver.url, event_types=["quote.created"])
        assert list(refused.value.message_dict) == ["event_types"]


def test_a_quote_accepted_on_its_public_page_is_delivered_to_its_subscriber(
    alpha: TenantFixture, receiver: Receiver
) -> None:
    quote = draft_quote(alpha)
    with alpha.active():
        accepted_hook = make_endpoint(receiver.url, event_types=["quote.accepted"])
        make_endpoint(receiver.url.replace("/hook", "/declined"), event_types=["quote.declined"])
        _share, token = share_quote(quote, by=alpha.user())
        deliver_events()  # the share (quote.shared) reaches neither endpoint

    answer = customer(alpha).post(f"/quote/{token}/accept/", {"name": "Ana Popescu"})

    assert answer.status_code == 302
    with alpha.active():
        [delivery] = deliver_events()
        assert delivery.endpoint_id == accepted_hook.pk
        assert attempt_delivery(delivery.pk) == "succeeded"
        event = DomainEvent.objects.get(type="quote.accepted")
        order = Order.objects.get(quote=quote)
    [body] = receiver.bodies()
    assert [request["path"] for request in receiver.requests] == ["/hook"]
    assert body["type"] == "quote.accepted"
    assert body["data"]["entity"] == "quote"
    assert body["data"]["id"] == quote.pk
    assert body["data"]["event_id"] == str(event.event_id)
    assert (body["data"]["number"], body["data"]["answered_by_name"], body["data"]["order_id"]) == (
        quote.number, "Ana Popescu", order.pk,
    )  # fmt: skip


def test_sharing_a_quote_is_delivered_as_quote_shared(alpha: TenantFixture, receiver: Receiver) -> None:
    quote = draft_quote(alpha)
    with alpha.active():
        make_endpoint(receiver.url, event_types=["quote.shared"])
        share, _token = share_quote(quote, by=alpha.user())
        [delivery] = deliver_events()
        assert attempt_delivery(delivery.pk) == "succeeded"
        actor = alpha.user().pk
    [body] = receiver.bodies()
    assert body["type"] == "quote.shared"
    assert (body["data"]["id"], body["data"]["share_id"], body["data"]["actor_id"]) == (quote.pk, share.pk, actor)
    assert body["data"]["expires_at"] == share.expires_at.isoformat()
