"""The progress page: only for the browser that signed up, steps and progress, then the one sign-in."""

from __future__ import annotations

import re

from django.test import Client

from billing.services.subscriptions import update_subscription
from tenants.models import Tenant
from tenants.services.provisioning import provision_tenant
from tests.signup.conftest import PUBLIC_HOST, progress_path, signup_data

HTMX = {"HX-Request": "true"}


def _signed_up(client: Client, slug: str) -> tuple[str, Tenant]:
    path = progress_path(client.post("/signup/", signup_data(slug)))
    return path, Tenant.objects.get(slug=slug)


def test_the_page_is_only_shown_to_the_browser_that_signed_up(public_client: Client):
    path, _tenant = _signed_up(public_client, "mine")
    stranger = Client(HTTP_HOST=PUBLIC_HOST)

    assert public_client.get(path).status_code == 200
    assert stranger.get(path).status_code == 404
    assert stranger.get(f"{path}status/", headers=HTMX).status_code == 404
    assert "Company mine" not in stranger.get(path).content.decode()


def test_a_forged_or_foreign_token_shows_nothing(public_client: Client):
    path, tenant = _signed_up(public_client, "mine")
    other_path, _other = _signed_up(Client(HTTP_HOST=PUBLIC_HOST), "theirs")

    assert public_client.get(other_path).status_code == 404  # a real token, of another browser's signup
    assert public_client.get(path.replace("/signup/", "/signup/x")).status_code == 404
    assert public_client.get(f"/signup/{tenant.pk}/").status_code == 404


def test_the_status_shows_the_steps_and_the_progress(public_client: Client):
    path, tenant = _signed_up(public_client, "steps")

    page = public_client.get(path).content.decode()
    assert "Setting up Company steps" in page
    assert "steps.localhost" in page
    status = public_client.get(f"{path}status/", headers=HTMX).content.decode()
    assert 'data-state="building"' in status
    assert 'hx-trigger="every 1s"' in status
    assert 'aria-valuenow="0"' in status
    assert [step for step in re.findall(r'data-done="(\w+)"', status)] == ["true", "false", "false", "false"]

    Tenant.objects.filter(pk=tenant.pk).update(provisioning_state="seeded", provisioning_progress=90)

    status = public_client.get(f"{path}status/", headers=HTMX).content.decode()
    assert 'aria-valuenow="90"' in status
    assert re.findall(r'data-done="(\w+)"', status) == ["true", "true", "true", "false"]


def test_a_failed_provisioning_says_we_are_on_it_without_the_error(public_client: Client):
    path, tenant = _signed_up(public_client, "broken")
    Tenant.objects.filter(pk=tenant.pk).update(
        provisioning_error="RuntimeError: disk full at /var/lib/postgresql", provisioning_attempts=1
    )

    status = public_client.get(f"{path}status/", headers=HTMX).content.decode()

    assert 'data-state="failed"' in status
    assert "We have been told and are on it" in status
    assert "disk full" not in status
    assert "RuntimeError" not in status
    assert 'hx-trigger="every 5s"' in status  # it moves on by itself once fixed


def test_a_signup_waiting_for_the_card_says_so(public_client: Client):
    path, tenant = _signed_up(public_client, "card")
    update_subscription(tenant.subscription, status="incomplete", actor="test")

    status = public_client.get(f"{path}status/", headers=HTMX).content.decode()

    assert 'data-state="awaiting-payment"' in status
    assert "Waiting for the payment confirmation…" in status


def test_once_ready_the_browser_is_signed_in_on_the_new_workspace_once(public_client: Client):
    path, tenant = _signed_up(public_client, "landing")
    provision_tenant(tenant.pk)

    ready = public_client.get(f"{path}status/", headers=HTMX)

    assert ready.status_code == 200
    handoff = ready["HX-Redirect"]
    assert re.fullmatch(r"http://landing\.localhost/login/handoff/[^/]+/", handoff), handoff
    handoff_path = handoff.removeprefix("http://landing.localhost")
    workspace = Client(HTTP_HOST="landing.localhost")
    landed = workspace.get(handoff_path)
    assert (landed.status_code, landed["Location"]) == (302, "/")
    home = workspace.get("/").content.decode()
    assert "boss@landing.test" in home
    # The handoff is issued once: polling again shows a sign-in link, and the link is spent.
    again = public_client.get(f"{path}status/", headers=HTMX)
    assert "HX-Redirect" not in again
    assert 'data-state="ready"' in again.content.decode()
    assert 'href="http://landing.localhost/login/"' in again.content.decode()
    assert "hx-trigger" not in again.content.decode()
    replay = Client(HTTP_HOST="landing.localhost").get(handoff_path)
    assert replay.status_code == 400
    assert "This sign-in link has already been used." in replay.content.decode()


def test_without_htmx_the_status_redirects_and_keeps_the_port(public_client: Client):
    path, tenant = _signed_up(public_client, "plain")
    provision_tenant(tenant.pk)

    response = public_client.get(f"{path}status/", SERVER_PORT="8443")

    assert response.status_code == 302
    assert response["Location"].startswith("http://plain.localhost:8443/login/handoff/")


def test_a_handoff_for_one_workspace_is_refused_on_another(public_client: Client, beta):
    path, tenant = _signed_up(public_client, "owner")
    provision_tenant(tenant.pk)
    handoff_path = public_client.get(f"{path}status/", headers=HTMX)["HX-Redirect"].removeprefix(
        "http://owner.localhost"
    )

    intruder = Client(HTTP_HOST=beta.host)
    refused = intruder.get(handoff_path)

    assert refused.status_code == 400
    assert "This sign-in link is for another workspace." in refused.content.decode()
    assert intruder.get("/")["Location"].startswith("/login/")
