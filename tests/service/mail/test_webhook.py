"""The inbound webhook: a raw message at the address's secret URL (the providers' calls are in
``test_inbound_providers.py``) opens a case; another workspace's secret, a rotated one, or a workspace without the
service module finds nothing; bad bodies are refused naming the body, never a 500."""

from __future__ import annotations

from typing import Any

from modules.service.mail.models import InboundMail
from modules.service.mail.services.addresses import inbound_token, rotate_token
from modules.service.models import Case
from tests.entitlements.helpers import without_modules
from tests.service.mail.conftest import customer_mail, make_address
from tests.tenancy import TenantFixture, schema_snapshot


def _url(tenant: TenantFixture, address: Any) -> str:
    with tenant.active():
        return f"/service/mail/inbound/{inbound_token(address)}/"


def _post_raw(tenant: TenantFixture, url: str, raw: bytes) -> Any:
    return tenant.client(None).post(url, raw, content_type="message/rfc822")


def test_a_raw_message_opens_a_case(alpha: TenantFixture):
    address = make_address(alpha)
    mail = customer_mail(subject="Invoice 4711 is wrong")

    response = _post_raw(alpha, _url(alpha, address), mail.as_bytes())

    assert response.status_code == 200
    assert response.json() == {"outcome": "opened"}
    with alpha.active():
        case = Case.objects.get()
        assert case.subject == "Invoice 4711 is wrong"
        assert case.messages.get().message_id == mail["Message-ID"]


def test_the_same_message_twice_is_kept_once(alpha: TenantFixture):
    address = make_address(alpha)
    raw = customer_mail().as_bytes()
    url = _url(alpha, address)

    first, again = _post_raw(alpha, url, raw), _post_raw(alpha, url, raw)

    assert first.json() == again.json() == {"outcome": "opened"}
    with alpha.active():
        assert Case.objects.count() == 1
        assert InboundMail.objects.count() == 1


def test_an_empty_or_oversized_raw_body_is_refused(alpha: TenantFixture, settings: Any):
    address = make_address(alpha)
    url = _url(alpha, address)
    settings.SERVICE_MAIL_MAX_MESSAGE_BYTES = 1000

    empty = _post_raw(alpha, url, b"  \r\n")
    huge = _post_raw(alpha, url, customer_mail(body="x" * 5000).as_bytes())

    assert empty.status_code == 400
    assert "body" in empty.json()["errors"]
    assert huge.status_code == 413
    with alpha.active():
        assert not Case.objects.exists()


def test_another_workspaces_secret_or_a_rotated_one_finds_nothing(alpha: TenantFixture, beta: TenantFixture):
    address = make_address(alpha)
    url = _url(alpha, address)
    before = schema_snapshot(beta.tenant)

    on_beta = _post_raw(beta, url, customer_mail().as_bytes())
    with alpha.active():
        rotate_token(address, by=None)
    rotated = _post_raw(alpha, url, customer_mail().as_bytes())
    guessed = _post_raw(alpha, "/service/mail/inbound/guessed-token/", customer_mail().as_bytes())

    assert on_beta.status_code == rotated.status_code == guessed.status_code == 404
    assert schema_snapshot(beta.tenant) == before
    with alpha.active():
        assert not Case.objects.exists()
    assert _post_raw(alpha, _url(alpha, address), customer_mail().as_bytes()).status_code == 200


def test_a_paused_address_or_a_workspace_without_the_module_takes_nothing(alpha: TenantFixture):
    paused = make_address(alpha, email="old@acme-support.example", is_active=False)
    address = make_address(alpha)
    url = _url(alpha, address)
    assert _post_raw(alpha, _url(alpha, paused), customer_mail().as_bytes()).status_code == 404
    without_modules(alpha, "service")

    response = _post_raw(alpha, url, customer_mail().as_bytes())

    assert response.status_code == 404
    with alpha.active():
        assert not Case.objects.exists()


def test_a_signed_in_staff_session_changes_nothing_and_get_is_not_allowed(alpha: TenantFixture):
    address = make_address(alpha)
    assert alpha.client().get(_url(alpha, address)).status_code == 405


def test_the_mails_content_language_is_the_cases_language(alpha: TenantFixture):
    address = make_address(alpha)
    url = _url(alpha, address)

    for subject, language in (("Drucker", "de-AT"), ("Unknown", "not a tag; x")):
        mail = customer_mail(subject=subject)
        mail["Content-Language"] = language  # after the body: setting it clears Content-* headers
        _post_raw(alpha, url, mail.as_bytes())

    with alpha.active():
        assert dict(Case.objects.values_list("subject", "language")) == {"Drucker": "de-AT", "Unknown": ""}
