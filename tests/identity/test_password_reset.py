"""Password reset: the link works on its own tenant only, and only once. The mail is sent by a
task queued at the commit (run at once here)."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client

from tests.tenancy import ADMIN_EMAIL, PASSWORD, TenantFixture

NEW_PASSWORD = "brand-new-long-password"


Ask = Callable[[Client, str], HttpResponse]


@pytest.fixture
def ask_for_reset(eager_tasks: None, django_capture_on_commit_callbacks: Any) -> Ask:
    """Post the reset form; the mail task queued at the commit runs at once."""

    def ask(client: Client, email: str) -> HttpResponse:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/password-reset/", {"email": email})  # type: ignore[return-value]

    return ask


def _reset_link(fixture: TenantFixture, ask_for_reset: Ask) -> str:
    ask_for_reset(fixture.client(email=None), ADMIN_EMAIL)
    match = re.search(r"http://[^/\s]+(/password-reset/[^\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_a_reset_link_sets_a_new_password(alpha: TenantFixture, ask_for_reset: Ask):
    link = _reset_link(alpha, ask_for_reset)
    client = alpha.client(email=None)

    form_page = client.get(link, follow=True)
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert mail.outbox[-1].to == [ADMIN_EMAIL]
    assert f"http://{alpha.host}/password-reset/" in mail.outbox[-1].body
    assert done.status_code == 302
    assert alpha.user().check_password(NEW_PASSWORD)


def test_a_reset_link_of_tenant_a_is_void_on_tenant_b(alpha: TenantFixture, beta: TenantFixture, ask_for_reset: Ask):
    link = _reset_link(alpha, ask_for_reset)  # same e-mail, same user id, same password in beta
    client = beta.client(email=None)

    page = client.get(link, follow=True)

    assert "This reset link is invalid or has already been used." in page.content.decode()
    assert beta.user().check_password(PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(alpha: TenantFixture, ask_for_reset: Ask):
    response = ask_for_reset(alpha.client(email=None), "nobody@example.test")

    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_reset_mails_are_limited_per_address_and_tenant(alpha: TenantFixture, beta: TenantFixture, ask_for_reset: Ask):
    client = alpha.client(email=None)

    answers = [ask_for_reset(client, ADMIN_EMAIL).status_code for _ in range(5)]
    ask_for_reset(beta.client(email=None), ADMIN_EMAIL)

    assert answers == [302] * 5  # the page answers the same; it only stops mailing
    assert [message.to for message in mail.outbox] == [[ADMIN_EMAIL]] * 4  # 3 from alpha, 1 from beta
    assert f"http://{beta.host}/" in mail.outbox[-1].body
