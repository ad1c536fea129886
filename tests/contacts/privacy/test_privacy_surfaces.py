"""The personal-data page, its export and erasure, on the web and the API: the permission, the
contact's visibility, the key's scope and the tenant all apply; a wrong confirmation erases nothing."""

from __future__ import annotations

from modules.contacts.models import Contact
from tests.api.access.helpers import bearer_client, issue_key
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail


def _contact(alpha: TenantFixture) -> Contact:
    with alpha.active():
        return ContactFactory(first_name="Ana", last_name="Popescu", email="ana@acme.example")


def test_the_page_exports_and_erases_after_the_name_is_typed(alpha: TenantFixture) -> None:
    contact = _contact(alpha)
    admin = alpha.client()
    page = admin.get(f"/contacts/{contact.pk}/personal-data/")
    assert page.status_code == 200
    assert b"erase-contact" in page.content
    detail = admin.get(f"/contacts/{contact.pk}/")
    assert f"/contacts/{contact.pk}/personal-data/".encode() in detail.content

    download = admin.get(f"/contacts/{contact.pk}/personal-data/export.json")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b'"ana@acme.example"' in download.content

    wrong = admin.post(f"/contacts/{contact.pk}/personal-data/erase/", {"confirm": "Ana"})
    assert wrong.status_code == 400
    assert b"Type the contact" in wrong.content
    nul = admin.post(f"/contacts/{contact.pk}/personal-data/erase/", {"confirm": "Ana\x00 Popescu"})
    assert nul.status_code == 400
    with alpha.active():
        assert Contact.objects.filter(pk=contact.pk).exists()

    erased = admin.post(f"/contacts/{contact.pk}/personal-data/erase/", {"confirm": "  ana   POPESCU "})
    assert erased.status_code == 302
    with alpha.active():
        assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_role_without_the_permission_sees_no_button_and_is_refused(alpha: TenantFixture) -> None:
    contact = _contact(alpha)
    rep = alpha.client(REP_EMAIL)
    assert f"/contacts/{contact.pk}/personal-data/".encode() not in rep.get(f"/contacts/{contact.pk}/").content
    assert rep.get(f"/contacts/{contact.pk}/personal-data/").status_code == 403
    assert rep.get(f"/contacts/{contact.pk}/personal-data/export.json").status_code == 403
    assert rep.post(f"/contacts/{contact.pk}/personal-data/erase/", {"confirm": "Ana Popescu"}).status_code == 403
    with alpha.active():
        assert Contact.objects.filter(pk=contact.pk).exists()


def test_another_tenant_cannot_reach_the_contact(alpha: TenantFixture, beta: TenantFixture) -> None:
    contact = _contact(alpha)
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/contacts/{contact.pk}/personal-data/", {}),
            ("get", f"/contacts/{contact.pk}/personal-data/export.json", {}),
            ("post", f"/contacts/{contact.pk}/personal-data/erase/", {"confirm": "Ana Popescu"}),
        ],
    )


def test_the_api_needs_the_permission_and_the_write_scope(alpha: TenantFixture, beta: TenantFixture) -> None:
    contact = _contact(alpha)
    _key, reader = issue_key(alpha, scopes=("contacts:read",), name="Reader")
    _key, writer = issue_key(alpha, scopes=("contacts:read", "contacts:write"), name="Writer")
    _key, rep_writer = issue_key(alpha, email=REP_EMAIL, scopes=("contacts:read", "contacts:write"), name="Rep")
    _key, beta_writer = issue_key(beta, scopes=("contacts:read", "contacts:write"), name="Beta")
    path = f"/api/v1/contacts/{contact.pk}"

    refused = bearer_client(alpha, reader).get(f"{path}/personal-data/")
    assert refused.status_code == 403
    assert "contacts:write" in refused.json()["detail"]
    assert bearer_client(alpha, rep_writer).get(f"{path}/personal-data/").status_code == 403
    assert bearer_client(alpha, rep_writer).post(f"{path}/erase/").status_code == 403
    assert bearer_client(beta, beta_writer).get(f"{path}/personal-data/").status_code == 404
    assert bearer_client(beta, beta_writer).post(f"{path}/erase/").status_code == 404

    exported = bearer_client(alpha, writer).get(f"{path}/personal-data/")
    assert exported.status_code == 200
    assert exported.json()["contact"]["email"] == "ana@acme.example"
    assert bearer_client(alpha, writer).post(f"{path}/erase/").status_code == 204
    with alpha.active():
        assert not Contact.objects.filter(pk=contact.pk).exists()
    assert bearer_client(alpha, writer).post(f"{path}/erase/").status_code == 404
