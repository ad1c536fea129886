"""The global search: full text or typo-tolerant names, visibility, sales only when enabled."""

import re

from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.tenancy import REP_EMAIL, TenantFixture, revoke, with_session_of


def _links(html: str) -> list[str]:
    return re.findall(r'class="list-group-item list-group-item-action py-1 search-option" href="([^"]+)"', html)


def test_a_name_with_two_typos_is_found(alpha: TenantFixture):
    with alpha.active():
        john = ContactFactory(first_name="John", last_name="Smith", owner=alpha.user())
        ContactFactory(first_name="Maria", last_name="Ionescu", owner=alpha.user())

    html = alpha.client().get("/search/", {"q": "Jonh Smiht", "format": "fragment"}).content.decode()

    assert _links(html) == [f"/contacts/{john.pk}/"]


def test_every_type_is_searched_and_grouped_with_links(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory(name="Umbrella Industries", owner=admin)
        contact = ContactFactory(first_name="Alice", last_name="Umbrella", owner=admin)
        lead = LeadFactory(first_name="Bob", last_name="Umbrella", owner=admin)
        deal = DealFactory(name="Umbrella rollout", owner=admin)
        activity = ActivityFactory(subject="Umbrella kickoff call", assignee=admin)

    response = alpha.client().get("/search/", {"q": "umbrella"})
    html = response.content.decode()

    assert response.status_code == 200
    assert re.findall(r'data-group="(\w+)"', html) == ["companies", "contacts", "leads", "deals", "activities"]
    links = _links(html)
    assert f"/companies/{company.pk}/" in links
    assert f"/contacts/{contact.pk}/" in links
    assert f"/activities/{activity.pk}/" in links
    assert len(links) == 5
    assert str(lead) in html
    assert deal.name in html


def test_a_rep_does_not_find_another_reps_records(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        ContactFactory(first_name="Hidden", last_name="Person", owner=admin)
        ActivityFactory(subject="Hidden Person call", assignee=admin)
        mine = ContactFactory(first_name="Hidden", last_name="Persona", owner=rep)

    html = alpha.client(email=REP_EMAIL).get("/search/", {"q": "Hidden Person", "format": "fragment"}).content.decode()

    assert _links(html) == [f"/contacts/{mine.pk}/"]


def test_leads_and_deals_are_not_searched_without_sales(alpha: TenantFixture):
    with alpha.active():
        LeadFactory(first_name="Zed", last_name="Zebra", owner=alpha.user())
        DealFactory(name="Zebra deal", owner=alpha.user())
    alpha.tenant.enabled_modules = []
    alpha.tenant.save()

    html = alpha.client().get("/search/", {"q": "zebra"}).content.decode()

    assert re.findall(r'data-group="(\w+)"', html) == []
    assert "Nothing found for" in html


def test_an_empty_query_finds_nothing(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory(name="Blank Space Ltd", owner=admin)
        contact = ContactFactory(first_name=" ", last_name="Spacey", owner=admin, company=company)
        ActivityFactory(subject="   ", assignee=admin)
    found = alpha.client().get("/search/", {"q": "Spacey", "format": "fragment"})

    response = alpha.client().get("/search/", {"q": "  ", "format": "fragment"})

    # the records are there to be found
    assert _links(found.content.decode()) == [f"/companies/{company.pk}/", f"/contacts/{contact.pk}/"]
    assert response.status_code == 200
    assert _links(response.content.decode()) == []


def test_the_navbar_has_the_search_box_with_its_shortcut(alpha: TenantFixture):
    html = alpha.client().get("/contacts/").content.decode()

    assert 'data-testid="global-search"' in html
    assert 'hx-get="/search/?format=fragment"' in html
    assert "@keydown.window.ctrl.k.prevent" in html


def test_search_needs_sign_in_and_stays_in_its_tenant(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        ContactFactory(first_name="Alphaonly", last_name="Person", owner=alpha.user())

    beta_html = beta.client().get("/search/", {"q": "Alphaonly"}).content.decode()
    stolen = with_session_of(alpha.client(), beta.host).get("/search/", {"q": "Alphaonly", "format": "fragment"})

    assert _links(beta_html) == []
    assert "Nothing found for" in beta_html
    assert stolen.status_code == 302
    assert stolen["Location"].startswith("/login/")
    assert alpha.client(email=None).get("/search/?q=x").status_code == 302


def test_activities_are_not_found_by_a_role_without_activities_view(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory(name="Quasar Labs", owner=admin)
        ActivityFactory(subject="Quasar kickoff call", assignee=admin)
    revoke(alpha, "admin", "activities.view")

    html = alpha.client().get("/search/", {"q": "quasar"}).content.decode()

    assert re.findall(r'data-group="(\w+)"', html) == ["companies"]
    assert _links(html) == [f"/companies/{company.pk}/"]
    assert "Quasar kickoff call" not in html


def test_the_search_is_refused_to_a_role_without_contacts_view(alpha: TenantFixture):
    with alpha.active():
        ContactFactory(first_name="Quentin", last_name="Quasar", owner=alpha.user())
    revoke(alpha, "sales_rep", "contacts.view")

    response = alpha.client(email=REP_EMAIL).get("/search/", {"q": "quasar", "format": "fragment"})

    assert response.status_code == 403
    assert "Quasar" not in response.content.decode()
