"""Custom fields on the lead, deal and activity lists."""

import re

from modules.contacts.models import SavedView
from tests.customization.pages.conftest import REGIONS, define
from tests.factories import ActivityFactory, DealFactory, LeadFactory
from tests.page_text import texts_after
from tests.tenancy import TenantFixture


def test_the_lead_list_filters_sorts_and_shows_a_custom_column(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("lead", "score", "decimal", label="Score")
        define("lead", "region", "single_select", options=REGIONS, label="Region")
        for n, score in enumerate(["2.5", "10", None, "7"]):
            custom = {"region": "north"} if score is None else {"region": "north", "score": score}
            LeadFactory(first_name=f"L{n}", last_name="North", owner=admin, custom=custom)
        LeadFactory(first_name="Other", last_name="South", owner=admin, custom={"region": "south", "score": "1"})
    client = alpha.client()

    response = client.get("/leads/", {"cf.region": "north", "sort": "-cf.score", "columns": "score"})

    assert response.status_code == 200
    html = response.content.decode()
    names = re.findall(r'<a href="/leads/\d+/">([^<]+)</a>', html)
    assert names == ["L1 North", "L3 North", "L0 North", "L2 North"]  # 10, 7, 2.5, then empty
    assert texts_after(html, 'data-cf="score">', "</td>") == ["10", "7", "2.5", "—"]
    assert 'data-testid="column-cf.score"' in html


def test_the_deal_list_filters_sorts_and_saves_a_view_with_custom_fields(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("deal", "closing", "date", label="Closing")
        DealFactory(name="Late", owner=admin, custom={"closing": "2026-09-01"})
        DealFactory(name="Early", owner=admin, custom={"closing": "2026-03-01"})
        DealFactory(name="Before", owner=admin, custom={"closing": "2025-12-31"})
    client = alpha.client()

    html = client.get("/deals/", {"cf.closing.gte": "2026-01-01", "sort": "cf.closing", "columns": "closing"})
    saved = client.post(
        "/deals/views/", {"name": "This year", "query": "cf.closing.gte=2026-01-01&sort=cf.closing&columns=closing"}
    )

    names = re.findall(r'<a href="/deals/\d+/">([^<]+)</a>', html.content.decode())
    assert names == ["Early", "Late"]
    assert texts_after(html.content.decode(), 'data-cf="closing">', "</td>") == ["1 Mar 2026", "1 Sep 2026"]
    assert saved.status_code == 302
    with alpha.active():
        view = SavedView.objects.get(name="This year")
    assert (view.query, view.columns) == ({"sort": "cf.closing", "cf.closing.gte": "2026-01-01"}, ["closing"])


def test_the_activity_list_filters_by_a_custom_boolean_and_shows_it(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("activity", "billable", "boolean", label="Billable")
        ActivityFactory(subject="Paid work", assignee=admin, custom={"billable": True})
        ActivityFactory(subject="Free work", assignee=admin, custom={"billable": False})

    html = alpha.client().get("/activities/", {"cf.billable": "true", "columns": "billable"}).content.decode()

    assert "Paid work" in html
    assert "Free work" not in html
    assert texts_after(html, 'data-cf="billable">', "</td>") == ["Yes"]


def test_a_deal_filter_on_another_tenants_field_is_refused(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        define("deal", "alpha_only", "text", label="Alpha only")
    with beta.active():
        DealFactory(name="Beta deal", owner=beta.user())

    response = beta.client().get("/deals/", {"cf.alpha_only": "x", "columns": "alpha_only"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is no custom field “alpha_only”; its filter is not applied." in html
    assert "Alpha only" not in html
