"""Saving an analysis's customers as a static marketing segment over REST and GraphQL: the page
action's rules — the selection's contacts the caller may see, the confirmed count, a free name, the
plan, ``marketing.change`` — plus the credential's scopes; other tenants find nothing and every
refusal writes nothing."""

from __future__ import annotations

import pytest

from modules.contacts.models import Company
from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment
from tests.analytics.acting.conftest import report_cells
from tests.analytics.customer_value.test_value_pages import rfm_at_risk
from tests.api.access.helpers import bearer_client, issue_key, post_json
from tests.api.helpers import post_graphql
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant

URL = "/api/v1/analytics/contact-lists/"
SCOPES = ("analytics:write", "marketing:write", "contacts:read")


def retail(alpha: TenantFixture) -> tuple[set[int], str]:
    """The rep's retailer with two contacts (one the rep's), a miner with one; the admin's Retail
    group's cell."""
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        shop = CompanyFactory(industry="Retail", owner=rep)
        people = {ContactFactory(company=shop, owner=admin).pk, ContactFactory(company=shop, owner=rep).pk}
        ContactFactory(company=CompanyFactory(industry="Mining", owner=admin))
    by_industry = {"group_by": [{"field": "industry"}]}
    [cell] = [cell for labels, _n, cell in report_cells(alpha, None, "companies", by_industry) if labels[0] == "Retail"]
    return people, cell


def members(alpha: TenantFixture, name: str) -> set[int]:
    with alpha.active():
        return set(Segment.objects.get(name=name).memberships.values_list("contact_id", flat=True))


def test_a_key_saves_a_report_group_as_a_static_segment(alpha: TenantFixture):
    people, cell = retail(alpha)
    _key, token = issue_key(alpha, scopes=SCOPES)
    body = {"target": "marketing-segment", "name": " Retail  people ", "cell": cell, "expected_count": 2}

    response = post_json(bearer_client(alpha, token), URL, body)

    assert response.status_code == 201
    saved = response.json()
    with alpha.active():
        segment = Segment.objects.get(name="Retail people")
        assert (segment.kind, segment.member_count) == (SegmentKind.STATIC, 2)
    assert saved == {
        "target": "marketing-segment", "entity": "segment", "id": segment.pk, "name": "Retail people", "count": 2,
        "url": f"/marketing/segments/{segment.pk}/", "api_url": f"/api/v1/segments/{segment.pk}/",
    }  # fmt: skip
    assert members(alpha, "Retail people") == people


def test_a_customer_set_needs_the_sales_scope(alpha: TenantFixture):
    companies = rfm_at_risk(alpha)  # "Risk 3" is At risk
    with alpha.active():
        people = {ContactFactory(company=companies[3]).pk, ContactFactory(company=companies[3]).pk}
        ContactFactory(company=companies[4])  # Can't lose them: another segment
    body = {"target": "marketing-segment", "name": "At risk", "set": "rfm", "segment": "at_risk", "period": 12}
    _key, without_sales = issue_key(alpha, scopes=SCOPES, name="No sales")
    _key, with_sales = issue_key(alpha, scopes=(*SCOPES, "sales:read"), name="Sales")

    refused = post_json(bearer_client(alpha, without_sales), URL, body)
    saved = post_json(bearer_client(alpha, with_sales), URL, body)

    assert refused.status_code == 403
    assert "sales" in refused.json()["detail"]
    assert (saved.status_code, saved.json()["count"]) == (201, 2)
    assert members(alpha, "At risk") == people


def test_a_selection_without_contacts_the_caller_may_see_is_refused(alpha: TenantFixture):
    _people, cell = retail(alpha)
    with alpha.active():
        Company.objects.filter(industry="Retail").update(owner=alpha.user())  # the rep sees no retailer now
    grant(alpha, "sales_rep", "analytics.view", "marketing.view", "marketing.change")
    _key, token = issue_key(alpha, scopes=SCOPES, email=REP_EMAIL)

    response = post_json(bearer_client(alpha, token), URL, {"target": "marketing-segment", "name": "R", "cell": cell})

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["cell"]
    with alpha.active():
        assert not Segment.objects.exists()


@pytest.mark.parametrize(
    ("scopes", "email", "grant_codes", "status"),
    [
        (("analytics:read", "marketing:write", "contacts:read"), None, (), 403),  # analytics read only
        (("analytics:write", "marketing:read", "contacts:read"), None, (), 403),  # marketing read only
        (SCOPES, REP_EMAIL, ("analytics.view", "marketing.view"), 403),  # no marketing.change
        (SCOPES, REP_EMAIL, ("marketing.view", "marketing.change"), 403),  # no analytics.view
        (SCOPES, REP_EMAIL, ("analytics.view", "marketing.view", "marketing.change"), 201),
    ],
)
def test_scopes_and_permissions_are_checked(alpha: TenantFixture, scopes, email, grant_codes, status):
    _people, cell = retail(alpha)
    if grant_codes:
        grant(alpha, "sales_rep", *grant_codes)
    _key, token = issue_key(alpha, scopes=scopes, email=email or "admin@example.test")

    response = post_json(bearer_client(alpha, token), URL, {"target": "marketing-segment", "name": "R", "cell": cell})

    assert response.status_code == status
    with alpha.active():
        assert Segment.objects.filter(name="R").count() == (1 if status == 201 else 0)
    if status == 201:  # the rep's own visibility: their one contact of the retailer
        assert response.json()["count"] == 1


def test_without_marketing_in_the_plan_the_endpoint_refuses(alpha: TenantFixture):
    _people, cell = retail(alpha)
    _key, token = issue_key(alpha, scopes=SCOPES)
    without_modules(alpha, "marketing")

    response = post_json(bearer_client(alpha, token), URL, {"target": "marketing-segment", "name": "R", "cell": cell})

    assert response.status_code == 403
    with alpha.active():
        assert not Segment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target": "elsewhere"}, "target"),
        ({"target": None}, "target"),
        ({"name": "Taken"}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 7}, "name"),
        ({"expected_count": 5}, "expected_count"),
        ({"expected_count": "many"}, "expected_count"),
        ({"cell": "forged"}, "cell"),
        ({"cell": None, "set": "nonsense"}, "set"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alpha: TenantFixture, change, field):
    _people, cell = retail(alpha)
    with alpha.active():
        Segment.objects.create(name="Taken", kind=SegmentKind.STATIC)
    sent = {"target": "marketing-segment", "name": "Fresh", "cell": cell, **change}
    body = {key: value for key, value in sent.items() if value is not None}
    _key, token = issue_key(alpha, scopes=SCOPES)

    response = post_json(bearer_client(alpha, token), URL, body)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    with alpha.active():
        assert list(Segment.objects.values_list("name", flat=True)) == ["Taken"]


def test_another_tenants_key_cannot_use_a_group_of_this_one(alpha: TenantFixture, beta: TenantFixture):
    _people, cell = retail(alpha)
    _key, token = issue_key(beta, scopes=SCOPES)

    response = post_json(bearer_client(beta, token), URL, {"target": "marketing-segment", "name": "X", "cell": cell})

    assert response.status_code == 404
    for tenant in (alpha, beta):
        with tenant.active():
            assert not Segment.objects.exists()


MUTATION = """
mutation Save($cell: String, $name: String!, $expected: Int) {
  contactListCreate(target: "marketing-segment", name: $name, cell: $cell, expectedCount: $expected) {
    contactList { target recordId pk name count url }
    errors { field message code }
  }
}
"""


def test_graphql_saves_a_report_group_as_a_static_segment(alpha: TenantFixture):
    people, cell = retail(alpha)
    _key, token = issue_key(alpha, scopes=SCOPES)

    body = post_graphql(bearer_client(alpha, token), MUTATION, {"cell": cell, "name": "Retail", "expected": 2})

    payload = body.json()["data"]["contactListCreate"]
    assert payload["errors"] == []
    saved = payload["contactList"]
    assert (saved["target"], saved["name"], saved["count"]) == ("marketing-segment", "Retail", 2)
    assert saved["url"] == f"/marketing/segments/{saved['pk']}/"
    assert members(alpha, "Retail") == people


@pytest.mark.parametrize(
    ("scopes", "email", "variables", "field", "code"),
    [
        (("analytics:read", "marketing:write", "contacts:read"), None, {}, None, "PERMISSION_DENIED"),
        (("analytics:write", "marketing:read", "contacts:read"), None, {}, "target", "PERMISSION_DENIED"),
        (SCOPES, REP_EMAIL, {}, "target", "PERMISSION_DENIED"),
        (SCOPES, None, {"expected": 9}, "expectedCount", "INVALID"),
        (SCOPES, None, {"cell": "forged"}, "cell", "INVALID"),
    ],
)
def test_graphql_refusals_name_the_field_and_write_nothing(alpha: TenantFixture, scopes, email, variables, field, code):
    _people, cell = retail(alpha)
    grant(alpha, "sales_rep", "analytics.view", "marketing.view")
    _key, token = issue_key(alpha, scopes=scopes, email=email or "admin@example.test")

    body = post_graphql(bearer_client(alpha, token), MUTATION, {"cell": cell, "name": "No", **variables})

    [error] = body.json()["data"]["contactListCreate"]["errors"]
    assert (error["field"], error["code"]) == (field, code)
    with alpha.active():
        assert not Segment.objects.exists()


def test_graphql_from_another_tenant_finds_no_group(alpha: TenantFixture, beta: TenantFixture):
    _people, cell = retail(alpha)
    _key, token = issue_key(beta, scopes=SCOPES)

    body = post_graphql(bearer_client(beta, token), MUTATION, {"cell": cell, "name": "Stolen"})

    [error] = body.json()["data"]["contactListCreate"]["errors"]
    assert (error["field"], error["code"]) == ("cell", "NOT_FOUND")
    with beta.active():
        assert not Segment.objects.exists()
