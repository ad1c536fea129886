"""The one-click unsubscribe is counted per link, not per client address: a mailbox provider that
posts for many of its users from one address is served (up to a per-address ceiling only a flood
reaches), while one link posted over and over is refused — from any address."""

from __future__ import annotations

import pytest
from django.test import Client

from modules.marketing.consent.services import unsubscribe_url
from modules.marketing.consent.views import public
from modules.marketing.models import Suppression
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture

PROVIDER = "198.51.100.7"


def _post(client: Client, url: str, address: str = PROVIDER) -> int:
    return client.post(url, {"List-Unsubscribe": "One-Click"}, REMOTE_ADDR=address).status_code


def _links(alpha: TenantFixture, count: int) -> list[str]:
    with alpha.active():
        return [unsubscribe_url(ContactFactory(email=f"user{index}@mail.example")) for index in range(count)]


def test_a_provider_posting_for_many_recipients_from_one_address_is_served(
    alpha: TenantFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small limits so the test stays quick; the relation between them is what matters.
    monkeypatch.setattr(public, "REQUESTS_PER_WINDOW", 5)
    monkeypatch.setattr(public, "ONE_CLICK_PER_ADDRESS", 25)
    links = _links(alpha, 27)
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)

    answers = [_post(client, link) for link in links]

    assert answers == [200] * 25 + [429] * 2  # far past the pages' per-address limit, up to the ceiling
    assert client.get(links[0], REMOTE_ADDR="203.0.113.9").status_code == 200  # others are not affected
    with alpha.active():
        assert Suppression.objects.count() == 25


def test_one_link_posted_again_and_again_is_refused_from_any_address(alpha: TenantFixture) -> None:
    link, other = _links(alpha, 2)
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)

    answers = [_post(client, link) for _ in range(public.ONE_CLICK_PER_TOKEN + 1)]

    assert answers == [200] * public.ONE_CLICK_PER_TOKEN + [429]
    assert _post(client, link, address="203.0.113.50") == 429  # the link is counted, not the address
    assert _post(client, other) == 200  # the provider's other users are still served


def test_guessed_one_click_links_still_count_as_failures(alpha: TenantFixture) -> None:
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    (link,) = _links(alpha, 1)

    answers = [_post(client, f"/m/u/guess{index}/") for index in range(public.FAILURES_PER_WINDOW + 1)]

    assert answers == [404] * public.FAILURES_PER_WINDOW + [429]
    assert _post(client, link) == 429
    with alpha.active():
        assert not Suppression.objects.exists()
