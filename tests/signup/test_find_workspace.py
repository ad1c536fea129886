"""The public "Sign in": an e-mail address gets the sign-in links of its workspaces by e-mail; the
page answers the same whether or not the address has an account and never names a workspace."""

from __future__ import annotations

import re
from unittest import mock

from django.core import mail
from django.test import Client

from tenants.services.workspace_finder import workspaces_of
from tenants.tasks import send_workspace_list
from tests.tenancy import ADMIN_EMAIL, TenantFixture


def test_the_public_site_links_to_sign_in(public_client: Client):
    html = public_client.get("/").content.decode()

    assert 'data-testid="public-sign-in"' in html
    assert 'href="/sign-in/"' in html


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    public_client: Client, alpha: TenantFixture, beta: TenantFixture
):
    with mock.patch("crm_platform.signup.sign_in.send_workspace_list.delay") as queued:
        known = public_client.post("/sign-in/", {"email": ADMIN_EMAIL.upper()})
        unknown = public_client.post("/sign-in/", {"email": "nobody@nowhere.test"})

    def page(response) -> str:  # type: ignore[no-untyped-def]
        html = response.content.decode().replace(ADMIN_EMAIL, "X").replace("nobody@nowhere.test", "X")
        return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", html)

    assert known.status_code == unknown.status_code == 200
    assert page(known) == page(unknown)
    assert alpha.tenant.name not in known.content.decode()
    assert alpha.tenant.slug not in known.content.decode()
    assert [call.args[0] for call in queued.call_args_list] == [ADMIN_EMAIL, "nobody@nowhere.test"]


def test_the_mail_lists_every_workspace_of_the_address_and_nothing_else(alpha: TenantFixture, beta: TenantFixture):
    sent = send_workspace_list(ADMIN_EMAIL, scheme="https", port_suffix="", language="en")

    assert {tenant.pk for tenant in workspaces_of(ADMIN_EMAIL)} >= {alpha.tenant.pk, beta.tenant.pk}
    assert sent == len(workspaces_of(ADMIN_EMAIL))
    assert mail.outbox[-1].to == [ADMIN_EMAIL]
    body = mail.outbox[-1].body
    assert f"https://{alpha.host}/login/" in body
    assert f"https://{beta.host}/login/" in body


def test_no_mail_goes_to_an_address_without_a_workspace(db: None):
    assert send_workspace_list("nobody@nowhere.test", scheme="https", port_suffix="", language="en") == 0
    assert mail.outbox == []


def test_a_deactivated_user_is_not_sent_that_workspace(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        user = alpha.user()
        user.is_active = False
        user.save(update_fields=["is_active"])

    found = {tenant.pk for tenant in workspaces_of(ADMIN_EMAIL)}

    assert alpha.tenant.pk not in found
    assert beta.tenant.pk in found


def test_requests_are_throttled_per_client_and_per_address(public_client: Client):
    with mock.patch("crm_platform.signup.sign_in.send_workspace_list.delay") as queued:
        answers = [public_client.post("/sign-in/", {"email": "same@example.test"}).status_code for _ in range(5)]
        sixth = public_client.post("/sign-in/", {"email": "other@example.test"})

    # three mails per address an hour, five requests per client: the page says the same meanwhile
    assert answers == [200] * 5
    assert queued.call_count == 3
    assert sixth.status_code == 429


def test_a_bad_address_is_a_400_naming_the_field(public_client: Client):
    response = public_client.post("/sign-in/", {"email": "not an address\x00"})

    assert response.status_code == 400
    assert 'id="id_email-errors"' in response.content.decode()


def test_tenant_hosts_have_no_workspace_finder(alpha: TenantFixture):
    assert alpha.client(email=None).get("/sign-in/").status_code == 404
