"""Settings → Support addresses: who may open them, what they save (the password encrypted), and
that another workspace's addresses stay out of reach."""

from __future__ import annotations

from typing import Any

import pytest

from core.encryption import decrypt
from identity.models import AuditEntry
from modules.service.mail.models import SupportAddress
from modules.service.mail.services.addresses import inbound_token
from tests.entitlements.helpers import without_modules
from tests.service.mail.conftest import make_address
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

LIST = "/settings/support-addresses/"
FORM = {
    "email": "Help@Acme-Support.example", "name": "ACME support", "is_active": "on", "auto_acknowledge": "on",
    "imap_host": "127.0.0.1", "imap_port": "143", "imap_security": "none", "imap_user": "support",
    "imap_password": "s3cret-imap", "imap_folder": "INBOX",
}  # fmt: skip


def test_an_administrator_adds_an_address_whose_password_is_stored_encrypted(alpha: TenantFixture):
    response = alpha.client().post(f"{LIST}new/", FORM)

    assert response.status_code == 302
    with alpha.active():
        address = SupportAddress.objects.get()
        assert address.email == "help@acme-support.example"
        assert address.imap_password.startswith("fernet:")
        assert "s3cret" not in address.imap_password
        assert decrypt(address.imap_password) == "s3cret-imap"
        assert address.auto_acknowledge
        assert address.imap_port == 143
        assert AuditEntry.objects.filter(action="support_address.created").exists()
    assert response["Location"] == f"{LIST}{address.pk}/"


def test_a_blank_password_on_a_change_keeps_the_stored_one(alpha: TenantFixture):
    address = make_address(
        alpha, **{k: v for k, v in FORM.items() if k not in ("email", "is_active", "auto_acknowledge")}
    )
    response = alpha.client().post(f"{LIST}{address.pk}/edit/", {**FORM, "imap_password": "", "name": "Helpdesk"})

    assert response.status_code == 302
    with alpha.active():
        address.refresh_from_db()
    assert address.name == "Helpdesk"
    assert decrypt(address.imap_password) == "s3cret-imap"


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not an address"), ("imap_port", "70000"), ("imap_security", "rot13"), ("email", "a\x00@b.example")],
)
def test_bad_input_is_refused_naming_the_field(alpha: TenantFixture, field: str, value: str):
    response = alpha.client().post(f"{LIST}new/", {**FORM, field: value})

    assert response.status_code == 400
    assert f'data-testid="{field}-errors"' in response.content.decode()
    with alpha.active():
        assert not SupportAddress.objects.exists()


def test_a_mailbox_without_a_password_is_refused(alpha: TenantFixture):
    response = alpha.client().post(f"{LIST}new/", {**FORM, "imap_password": ""})

    assert response.status_code == 400
    assert 'data-testid="imap_password-errors"' in response.content.decode()


def test_a_mailbox_on_an_internal_address_is_refused_outside_tests(alpha: TenantFixture, settings: Any):
    settings.OUTBOUND_HTTP_ALLOW_PRIVATE = False
    response = alpha.client().post(f"{LIST}new/", FORM)

    assert response.status_code == 400
    assert 'data-testid="imap_host-errors"' in response.content.decode()


def test_the_list_costs_the_same_queries_for_2_and_12_addresses(alpha: TenantFixture, django_assert_max_num_queries):
    client = alpha.client()
    for number in range(2):
        make_address(alpha, email=f"desk{number}@acme-support.example")
    client.get(LIST)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    for number in range(2, 12):
        make_address(alpha, email=f"desk{number}@acme-support.example")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert response.content.decode().count('data-testid="address-row"') == 12


def test_the_webhook_url_is_revealed_only_to_administrators(alpha: TenantFixture):
    address = make_address(alpha)
    with alpha.active():
        token = inbound_token(address)

    page = alpha.client().get(f"{LIST}{address.pk}/")
    revealed = alpha.client().get(f"{LIST}{address.pk}/webhook-url/")

    assert token not in page.content.decode()
    assert f"/service/mail/inbound/{token}/" in revealed.content.decode()
    assert revealed["Cache-Control"] == "no-store"


def test_a_role_without_service_admin_opens_no_page(alpha: TenantFixture):
    address = make_address(alpha)
    rep = alpha.client(REP_EMAIL)
    for method, path in [
        ("get", LIST), ("get", f"{LIST}new/"), ("post", f"{LIST}new/"), ("get", f"{LIST}{address.pk}/"),
        ("get", f"{LIST}{address.pk}/webhook-url/"), ("post", f"{LIST}{address.pk}/edit/"),
        ("post", f"{LIST}{address.pk}/rotate/"), ("post", f"{LIST}{address.pk}/check/"),
        ("post", f"{LIST}{address.pk}/delete/"),
    ]:  # fmt: skip
        response = getattr(rep, method)(path, FORM if method == "post" else None)
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
    with alpha.active():
        assert SupportAddress.objects.get().inbound_token_hash == address.inbound_token_hash


def test_another_workspace_reaches_no_address(alpha: TenantFixture, beta: TenantFixture):
    address = make_address(alpha)
    assert_cross_tenant_requests_fail(
        alpha, beta,
        [
            ("get", f"{LIST}{address.pk}/", {}), ("get", f"{LIST}{address.pk}/webhook-url/", {}),
            ("post", f"{LIST}{address.pk}/edit/", FORM), ("post", f"{LIST}{address.pk}/rotate/", {}),
            ("post", f"{LIST}{address.pk}/check/", {}), ("post", f"{LIST}{address.pk}/delete/", {}),
        ],
    )  # fmt: skip


def test_a_workspace_without_the_service_module_gets_the_not_in_plan_page(alpha: TenantFixture):
    address = make_address(alpha)
    without_modules(alpha, "service")

    for path in (LIST, f"{LIST}{address.pk}/"):
        response = alpha.client().get(path)
        assert response.status_code == 403
        assert "errors/not_in_plan.html" in [template.name for template in response.templates]
