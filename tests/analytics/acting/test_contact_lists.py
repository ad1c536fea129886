"""Saving an analysis's customers as a static marketing segment in one action: an RFM segment's
companies bring their contacts, customers who are contacts come themselves, the reader's visibility
applies, the count is confirmed, and bad input, permissions, the plan and other tenants are refused
with nothing written."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django.utils import timezone

from modules.analytics.acting.contact_lists import available_targets
from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment
from tests.analytics.acting.conftest import report_cells
from tests.analytics.customer_value.conftest import buy
from tests.analytics.customer_value.test_value_pages import rfm_at_risk
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant, revoke

AT_RISK = "/analytics/act/lists/marketing-segment/?set=rfm&segment=at_risk&period=12"


def _members(name: str) -> set[int]:
    return set(Segment.objects.get(name=name).memberships.values_list("contact_id", flat=True))


def test_an_rfm_segment_becomes_a_static_segment_of_its_companies_contacts(alpha: TenantFixture):
    companies = rfm_at_risk(alpha)  # "Risk 3" is At risk
    with alpha.active():
        wanted = {ContactFactory(company=companies[3]).pk, ContactFactory(company=companies[3]).pk}
        ContactFactory(company=companies[4])  # Can't lose them: another segment
    client = alpha.client()

    page = client.get(AT_RISK)
    assert page.status_code == 200
    assert page.context["count"] == 2
    assert "At risk" in page.context["name"]

    response = client.post(AT_RISK, {"name": "Win back", "expected_count": "2"})

    with alpha.active():
        segment = Segment.objects.get(name="Win back")
        assert response.status_code == 302
        assert response["Location"] == f"/marketing/segments/{segment.pk}/"
        assert (segment.kind, segment.member_count) == (SegmentKind.STATIC, 2)
        assert _members("Win back") == wanted
        assert "At risk" in segment.description
    assert client.get(response["Location"]).status_code == 200


def test_customers_who_are_contacts_come_themselves_and_visibility_applies(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view", "sales.view", "marketing.view", "marketing.change")
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        buyer = ContactFactory(owner=rep)
        hidden = ContactFactory(owner=admin)
        buy(admin, contact=buyer, days_ago=3, owner=rep)
        buy(admin, contact=hidden, days_ago=3, owner=admin)
        # Both first ordered three days ago: one cohort.
        month = (timezone.localdate() - timedelta(days=3)).strftime("%Y-%m")
    url = f"/analytics/act/lists/marketing-segment/?set=cohort&cohort={month}"

    as_rep = alpha.client(REP_EMAIL).post(url, {"name": "Rep's new", "expected_count": "1"})
    as_admin = alpha.client().post(url, {"name": "All new", "expected_count": "2"})

    assert (as_rep.status_code, as_admin.status_code) == (302, 302)
    with alpha.active():
        assert _members("Rep's new") == {buyer.pk}
        assert _members("All new") == {buyer.pk, hidden.pk}


def test_a_taken_name_or_a_changed_count_writes_nothing(alpha: TenantFixture):
    companies = rfm_at_risk(alpha)
    with alpha.active():
        ContactFactory(company=companies[3])
        Segment.objects.create(name="Taken", kind=SegmentKind.STATIC)
    client = alpha.client()

    taken = client.post(AT_RISK, {"name": "Taken", "expected_count": "1"})
    changed = client.post(AT_RISK, {"name": "Fresh", "expected_count": "7"})
    empty = client.post(AT_RISK, {"name": "  ", "expected_count": "1"})
    garbage = client.post(AT_RISK, {"name": "Fresh", "expected_count": "x" * 40})

    assert [r.status_code for r in (taken, changed, empty, garbage)] == [400, 400, 400, 400]
    assert list(taken.context["errors"]) == ["name"]
    assert list(changed.context["errors"]) == ["expected_count"]
    assert list(empty.context["errors"]) == ["name"]
    assert list(garbage.context["errors"]) == ["expected_count"]
    with alpha.active():
        assert list(Segment.objects.values_list("name", flat=True)) == ["Taken"]


def test_selections_without_contacts_and_bad_parameters_are_refused(alpha: TenantFixture):
    with alpha.active():
        DealFactory(owner=alpha.user())
    [(_labels, _count, deals_cell)] = report_cells(alpha, None, "deals", {"group_by": [{"field": "status"}]})
    client = alpha.client()

    bad_segment = client.get("/analytics/act/lists/marketing-segment/?set=rfm&segment=nonsense&period=12")
    no_set = client.get("/analytics/act/lists/marketing-segment/")
    unknown_target = client.get("/analytics/act/lists/elsewhere/?set=churn&period=12")

    assert (bad_segment.status_code, no_set.status_code, unknown_target.status_code) == (400, 400, 404)
    assert bad_segment.content.decode().startswith("segment:")
    deals = client.get(f"/analytics/act/lists/marketing-segment/?cell={quote(deals_cell)}")
    assert deals.status_code == 400
    assert deals.content.decode().startswith("cell:")


def test_a_report_group_of_companies_can_be_saved_too(alpha: TenantFixture):
    with alpha.active():
        retail = CompanyFactory(industry="Retail", owner=alpha.user())
        CompanyFactory(industry="Mining", owner=alpha.user())
        person = ContactFactory(company=retail)
    [cell] = [cell for labels, _n, cell in report_cells(alpha, None, "companies", {"group_by": [{"field": "industry"}]})
              if labels[0] == "Retail"]  # fmt: skip
    url = f"/analytics/act/lists/marketing-segment/?cell={quote(cell)}"

    response = alpha.client().post(url, {"name": "Retail people", "expected_count": "1"})

    assert response.status_code == 302
    with alpha.active():
        assert _members("Retail people") == {person.pk}


def test_permissions_and_the_plan_are_checked_and_the_links_follow_them(alpha: TenantFixture):
    companies = rfm_at_risk(alpha)
    with alpha.active():
        ContactFactory(company=companies[3])
    rfm_page = "/analytics/rfm/?period=12&segment=at_risk"
    assert 'data-testid="contact-list-link"' in alpha.client().get(rfm_page).content.decode()

    revoke(alpha, "admin", "marketing.change")
    assert alpha.client().get(AT_RISK).status_code == 403
    assert alpha.client().post(AT_RISK, {"name": "No", "expected_count": "1"}).status_code == 403
    assert 'data-testid="contact-list-link"' not in alpha.client().get(rfm_page).content.decode()
    grant(alpha, "admin", "marketing.change")

    without_modules(alpha, "marketing")
    refused = alpha.client().post(AT_RISK, {"name": "No", "expected_count": "1"})
    assert refused.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in refused.templates]
    with alpha.active():
        assert available_targets(alpha.tenant, alpha.user()) == []
        assert not Segment.objects.exists()
    assert 'data-testid="contact-list-link"' not in alpha.client().get(rfm_page).content.decode()


def test_another_tenant_cannot_use_a_selection_of_this_one(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        retail = CompanyFactory(industry="Retail", owner=alpha.user())
        ContactFactory(company=retail)
    [cell] = [cell for labels, _n, cell in report_cells(alpha, None, "companies", {"group_by": [{"field": "industry"}]})
              if labels[0] == "Retail"]  # fmt: skip
    url = f"/analytics/act/lists/marketing-segment/?cell={quote(cell)}"

    assert_cross_tenant_requests_fail(
        alpha, beta, [("get", url, {}), ("post", url, {"name": "Stolen", "expected_count": "1"})]
    )
