"""Taking a module out of the plan hides it from the navigation, leaves the pages that only show
parts of it working (without those parts), and keeps its data: putting it back shows the same records."""

from __future__ import annotations

from billing.services.subscriptions import update_subscription
from modules import registry
from modules.sales.models import Deal
from tests.api.helpers import post_graphql
from tests.entitlements.helpers import MESSAGE, api_key_client, business_snapshot, without_modules
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import TenantFixture


def test_the_navigation_leaves_the_module_out(alpha: TenantFixture):
    admin = alpha.user()
    with_sales = [module.key for module, _entries in registry.navigation(alpha.tenant, admin)]
    without_modules(alpha, "sales")

    without_sales = [module.key for module, _entries in registry.navigation(alpha.tenant, admin)]
    home = alpha.client().get("/").content.decode()

    assert "sales" in with_sales
    assert without_sales == [key for key in with_sales if key != "sales"]
    assert 'data-module="sales"' not in home
    assert 'href="/deals/"' not in home
    assert 'data-module="contacts"' in home


def test_the_settings_navigation_leaves_the_modules_settings_out(alpha: TenantFixture):
    before = alpha.client().get("/settings/fields/").content.decode()
    without_modules(alpha, "sales")
    after = alpha.client().get("/settings/fields/").content.decode()

    assert 'href="/settings/pipelines/"' in before
    assert 'href="/settings/pipelines/"' not in after


def test_pages_that_show_parts_of_the_module_keep_working_without_them(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        contact = ContactFactory(owner=alpha.user(), company=company)
        deal = DealFactory(name="Quiet deal", company=company, contact=contact, owner=alpha.user())
        activity = ActivityFactory(subject="Call about it", company=company, deal=deal, assignee=alpha.user())
    without_modules(alpha, "sales")
    client = alpha.client()

    pages = {
        "company": client.get(f"/companies/{company.pk}/"),
        "contact": client.get(f"/contacts/{contact.pk}/"),
        "company timeline": client.get(f"/timeline/company/{company.pk}/"),
        "activity": client.get(f"/activities/{activity.pk}/"),
        "new activity": client.get(f"/activities/new/?company={company.pk}"),
    }

    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    links = {name: 'href="/deals/' in page.content.decode() for name, page in pages.items()}
    assert links == dict.fromkeys(pages, False)  # nothing leads to a page that would refuse
    assert "Quiet deal" not in pages["company"].content.decode()  # its deals section is left out
    assert "Quiet deal" not in pages["contact"].content.decode()
    assert "deal" not in pages["new activity"].context["form"].fields


def test_a_plan_without_the_module_keeps_its_deals_and_gets_them_back(alpha: TenantFixture, subscribe):
    subscription = subscribe(alpha, "starter")
    with alpha.active():
        created = [DealFactory(name=f"Kept deal {number}", owner=alpha.user()).pk for number in range(3)]
        deals = sorted(Deal.objects.values_list("pk", flat=True))
    client, api = alpha.client(), api_key_client(alpha)

    update_subscription(subscription, actor="test", module_overrides={"remove": ["sales"]})
    before = business_snapshot(alpha)
    refused = {
        "page": client.get("/deals/"),
        "detail page": client.get(f"/deals/{created[0]}/"),
        "rest": api.get("/api/v1/deals/"),
    }
    graphql = post_graphql(api, "{ deals { totalCount } }").json()
    after_refusals = business_snapshot(alpha)
    update_subscription(subscription, actor="test", module_overrides={})
    listed = api.get("/api/v1/deals/").json()
    page = client.get("/deals/")

    alpha.tenant.refresh_from_db()
    assert alpha.tenant.enabled_modules == ["sales"]
    assert {name: response.status_code for name, response in refused.items()} == dict.fromkeys(refused, 403)
    assert all(MESSAGE in response.content.decode() for response in refused.values())
    assert graphql["errors"][0]["extensions"] == {"code": "MODULE_NOT_IN_PLAN", "module": "sales"}
    assert after_refusals == before
    assert set(created) <= {row["id"] for row in listed["results"]}
    assert page.status_code == 200
    assert all(f"Kept deal {number}" in page.content.decode() for number in range(3))
    with alpha.active():
        assert sorted(Deal.objects.values_list("pk", flat=True)) == deals
