"""The global search finds parts of addresses, ranks exact matches first, and has a full results
page with every kind counted and each kind paged; the box is a keyboard-driven combobox."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.tenancy import REP_EMAIL, TenantFixture, with_session_of


def _links(html: str) -> list[str]:
    return re.findall(r'class="list-group-item list-group-item-action py-1 search-option" href="([^"]+)"', html)


def test_a_part_of_an_e_mail_domain_finds_contacts_and_a_web_domain_finds_companies(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        anna = ContactFactory(first_name="Anna", last_name="Pop", email="anna@altus-group.ro", owner=admin)
        company = CompanyFactory(name="Group Holding", email="", website="https://www.altus-group.ro", owner=admin)
        ContactFactory(first_name="Other", last_name="Person", email="other@elsewhere.ro", owner=admin)

    html = alpha.client().get("/search/", {"q": "altus", "format": "fragment"}).content.decode()

    assert _links(html) == [f"/companies/{company.pk}/", f"/contacts/{anna.pk}/"]


def test_a_whole_e_mail_address_finds_its_contact(alpha: TenantFixture):
    with alpha.active():
        anna = ContactFactory(first_name="Anna", last_name="Pop", email="anna@altus-group.ro", owner=alpha.user())

    html = alpha.client().get("/search/", {"q": "ANNA@altus-group.ro", "format": "fragment"}).content.decode()

    assert _links(html) == [f"/contacts/{anna.pk}/"]


def test_an_exact_name_comes_before_names_that_only_start_with_it_and_similar_ones(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        # Created in the reverse of the expected order, so the id order cannot pass the test.
        similar = CompanyFactory(name="Nordik", owner=admin)
        prefix = CompanyFactory(name="Nordic Timber Export", owner=admin)
        exact = CompanyFactory(name="Nordic", owner=admin)

    html = alpha.client().get("/search/", {"q": "nordic", "format": "fragment"}).content.decode()

    assert _links(html) == [f"/companies/{exact.pk}/", f"/companies/{prefix.pk}/", f"/companies/{similar.pk}/"]


def test_the_fragment_offers_every_result_and_is_a_listbox(alpha: TenantFixture):
    with alpha.active():
        ContactFactory(first_name="Listbox", last_name="Person", owner=alpha.user())

    html = alpha.client().get("/search/", {"q": "listbox", "format": "fragment"}).content.decode()
    shell = alpha.client().get("/contacts/").content.decode()

    assert 'role="listbox"' in html
    assert re.findall(r'href="([^"]+)" role="option" id="search-option-all"', html) == ["/search/?q=listbox"]
    assert len(re.findall(r'role="option"', html)) == 2
    assert 'role="combobox"' in shell
    assert 'aria-controls="global-search-results"' in shell
    assert '@keydown.down.prevent="move(1)"' in shell


def test_the_full_page_counts_every_kind_and_pages_one_kind(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        contacts = [ContactFactory(first_name=f"Pager{n:02}", last_name="Person", owner=admin) for n in range(30)]
        DealFactory(name="Pager deal", owner=admin)

    full = alpha.client().get("/search/", {"q": "pager"}).content.decode()
    first = alpha.client().get("/search/", {"q": "pager", "kind": "contacts"}).content.decode()
    second = alpha.client().get("/search/", {"q": "pager", "kind": "contacts", "page": 2}).content.decode()

    assert re.findall(r'data-testid="search-total">(\d+)<', full) == ["30", "1"]
    assert 'href="/search/?q=pager&amp;kind=contacts" data-testid="search-more">Show all 30 results' in full
    assert "30 results for" in first
    paged = _links(first) + _links(second)
    assert len(_links(first)) == 25
    assert sorted(paged) == sorted(f"/contacts/{contact.pk}/" for contact in contacts)


def test_a_kind_the_user_may_not_see_is_not_found(alpha: TenantFixture):
    with alpha.active():
        DealFactory(name="Secret pipeline deal", owner=alpha.user())
        ActivityFactory(subject="Secret call", assignee=alpha.user())
        role = alpha.user(REP_EMAIL).role
        role.permissions = [code for code in role.permissions if code not in {"sales.view", "activities.view"}]
        role.save(update_fields=["permissions"])
    rep = alpha.client(email=REP_EMAIL)

    assert rep.get("/search/", {"q": "secret", "kind": "deals"}).status_code == 404
    assert rep.get("/search/", {"q": "secret", "kind": "activities"}).status_code == 404
    assert rep.get("/search/", {"q": "secret", "kind": "nothing"}).status_code == 404
    # the admin, whose role holds them, finds them
    assert "Secret pipeline deal" in alpha.client().get("/search/", {"q": "secret", "kind": "deals"}).content.decode()


def test_the_paged_kind_stays_within_visibility_and_tenant(alpha: TenantFixture, beta: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        ContactFactory(first_name="Walled", last_name="Garden", owner=admin)
        mine = ContactFactory(first_name="Walled", last_name="Gardener", owner=rep)

    as_rep = alpha.client(email=REP_EMAIL).get("/search/", {"q": "walled", "kind": "contacts"}).content.decode()
    in_beta = beta.client().get("/search/", {"q": "walled", "kind": "contacts"}).content.decode()
    stolen = with_session_of(alpha.client(), beta.host).get("/search/", {"q": "walled", "kind": "contacts"})

    assert _links(as_rep) == [f"/contacts/{mine.pk}/"]
    assert "0 results for" in in_beta
    assert stolen.status_code == 302


@pytest.mark.parametrize("kind", ["", "contacts", "leads"])
def test_search_pages_query_the_same_for_5_and_40_matches(alpha: TenantFixture, kind):
    admin = alpha.user()
    client = alpha.client()

    def count_for(n: int, word: str) -> int:
        with alpha.active():
            company = CompanyFactory(name=f"{word} Company", owner=admin)
            for index in range(n):
                ContactFactory(first_name=f"{word}{index:02}", last_name="X", company=company, owner=admin)
                LeadFactory(first_name=f"{word}{index:02}", last_name="Y", owner=admin)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": word, **({"kind": kind} if kind else {})})
        assert response.status_code == 200
        return len(queries)

    assert count_for(5, "Fewquery") == count_for(40, "Manyquery")


@pytest.mark.parametrize("by", ["prefix", "domain"])
def test_the_ctrl_k_box_queries_the_same_for_5_and_40_matches(alpha: TenantFixture, by: str):
    admin = alpha.user()
    client = alpha.client()

    def count_for(n: int, word: str) -> int:
        with alpha.active():
            company = CompanyFactory(
                name=f"{word} Holding", website=f"https://{word.lower()}-group.example", owner=admin
            )
            for index in range(n):
                ContactFactory(
                    first_name=f"{word}{index:02}", last_name="Z", email=f"p{index}@{word.lower()}-group.example",
                    company=company, owner=admin,
                )  # fmt: skip
                DealFactory(name=f"{word} deal {index:02}", company=company, owner=admin)
        q = word[:4] if by == "prefix" else f"{word.lower()}-group"
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": q, "format": "fragment"})
        assert response.status_code == 200
        assert len(_links(response.content.decode())) >= min(n, 8)
        return len(queries)

    assert count_for(5, "Fewbox") == count_for(40, "Manybox")
