"""Password reset: the link works on its own tenant only, and only once."""

import re

from django.core import mail

from tests.tenancy import ADMIN_EMAIL, PASSWORD, TenantFixture

NEW_PASSWORD = "brand-new-long-password"


def _reset_link(fixture: TenantFixture) -> str:
    fixture.client(email=None).post("/password-reset/", {"email": ADMIN_EMAIL})
    match = re.search(r"http://[^/\s]+(/password-reset/[^\s]+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_a_reset_link_sets_a_new_password(alpha: TenantFixture):
    link = _reset_link(alpha)
    client = alpha.client(email=None)

    form_page = client.get(link, follow=True)
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert mail.outbox[-1].to == [ADMIN_EMAIL]
    assert f"http://{alpha.host}/password-reset/" in mail.outbox[-1].body
    assert done.status_code == 302
    assert alpha.user().check_password(NEW_PASSWORD)


def test_a_reset_link_of_tenant_a_is_void_on_tenant_b(alpha: TenantFixture, beta: TenantFixture):
    link = _reset_link(alpha)  # same e-mail, same user id, same password in beta
    client = beta.client(email=None)

    page = client.get(link, follow=True)

    assert "This reset link is invalid or has already been used." in page.content.decode()
    assert beta.user().check_password(PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(alpha: TenantFixture):
    response = alpha.client(email=None).post("/password-reset/", {"email": "nobody@example.test"})

    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_reset_mails_are_limited_per_address_and_tenant(alpha: TenantFixture, beta: TenantFixture):
    client = alpha.client(email=None)

    answers = [client.post("/password-reset/", {"email": ADMIN_EMAIL}).status_code for _ in range(5)]
    beta.client(email=None).post("/password-reset/", {"email": ADMIN_EMAIL})

    assert answers == [302] * 5  # the page answers the same; it only stops mailing
    assert [message.to for message in mail.outbox] == [[ADMIN_EMAIL]] * 4  # 3 from alpha, 1 from beta
    assert f"http://{beta.host}/" in mail.outbox[-1].body
