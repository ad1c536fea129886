"""The searchable pickers' endpoint and the forms using it: visible records only, with what tells
namesakes apart, behind the contacts view permission, never across tenants."""

from __future__ import annotations

import pytest

from identity.models import Role
from identity.services.accounts import create_user
from tests.factories import CompanyFactory, ContactFactory, LeadFactory
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, with_session_of


def _results(response) -> list[dict]:
    assert response.status_code == 200
    return response.json()["results"]


def test_namesakes_are_told_apart_by_email_and_company(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        acme = CompanyFactory(name="Acme", city="Oslo", email="sales@acme.example", owner=admin)
        first = ContactFactory(first_name="Ana", last_name="Pop", email="ana@acme.example", company=acme, owner=admin)
        second = ContactFactory(first_name="Ana", last_name="Pop", email="ana.pop@else.example", owner=admin)

    contacts = _results(alpha.client().get("/pick/contact/", {"q": "ana pop"}))
    companies = _results(alpha.client().get("/pick/company/", {"q": "acm"}))

    assert sorted((row["id"], row["detail"]) for row in contacts) == sorted(
        [(first.pk, "ana@acme.example · Acme"), (second.pk, "ana.pop@else.example")]
    )
    assert companies == [{"id": acme.pk, "label": "Acme", "detail": "Oslo · sales@acme.example"}]


def test_a_rep_finds_only_what_they_may_see_and_no_hidden_company(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        hidden = CompanyFactory(name="Hidden Corp", owner=admin)
        mine = ContactFactory(first_name="Mia", last_name="Mine", email="mia@x.example", company=hidden, owner=rep)
        ContactFactory(first_name="Mia", last_name="Theirs", owner=admin)
    client = alpha.client(REP_EMAIL)

    contacts = _results(client.get("/pick/contact/", {"q": "mia"}))
    companies = _results(client.get("/pick/company/", {"q": "hidden"}))

    assert contacts == [{"id": mine.pk, "label": "Mia Mine", "detail": "mia@x.example"}]
    assert companies == []


def test_the_picker_needs_the_contacts_view_permission(alpha: TenantFixture):
    with alpha.active():
        create_user(email="nobody@example.test", password=PASSWORD, full_name="",
                    role=Role.objects.create(key="nothing", name="Nothing", permissions=[]))  # fmt: skip
        ContactFactory(first_name="Ana", last_name="Pop", owner=alpha.user())

    response = alpha.client(email="nobody@example.test").get("/pick/contact/", {"q": "ana"})

    assert response.status_code == 403
    assert "Ana" not in response.content.decode()


def test_another_tenant_finds_nothing_of_ours(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        ContactFactory(first_name="Alphaonly", last_name="Person", owner=alpha.user())
    stolen = with_session_of(alpha.client(), beta.host)

    assert _results(beta.client().get("/pick/contact/", {"q": "alphaonly"})) == []
    assert stolen.get("/pick/contact/", {"q": "alphaonly"})["Location"].startswith("/login/")


def test_an_unknown_kind_or_bad_query_is_not_an_error(alpha: TenantFixture):
    client = alpha.client()

    assert client.get("/pick/deal/", {"q": "x"}).status_code == 404
    assert _results(client.get("/pick/contact/", {"q": "a\x00b"})) == []
    assert _results(client.get("/pick/contact/", {"q": ""})) == []


def test_the_conversion_page_lists_no_contacts_and_refuses_an_invisible_one(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        lead = LeadFactory(first_name="Zoe", last_name="Lead", company_name="", owner=rep)
        theirs = ContactFactory(first_name="Not", last_name="Yours", owner=admin)
        for index in range(30):
            ContactFactory(first_name=f"Many{index:02}", last_name="Rep", owner=rep)
    client = alpha.client(REP_EMAIL)

    page = client.get(f"/leads/{lead.pk}/convert/").content.decode()
    refused = client.post(f"/leads/{lead.pk}/convert/", {"company_choice": "none", "contact_choice": "existing",
                                                          "contact": theirs.pk})  # fmt: skip

    assert "Many05 Rep" not in page
    assert 'data-testid="picker-contact"' in page
    assert refused.status_code == 400
    assert "Select a valid choice." in refused.content.decode()


@pytest.mark.parametrize("path", ["/orders/new/", "/deals/new/", "/contacts/new/"])
def test_forms_over_companies_render_a_picker_not_every_company(alpha: TenantFixture, path: str):
    with alpha.active():
        for index in range(30):
            CompanyFactory(name=f"Listed{index:02} GmbH", owner=alpha.user())

    page = alpha.client().get(path).content.decode()

    assert 'data-testid="picker-company"' in page
    assert "Listed05 GmbH" not in page
