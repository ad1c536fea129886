"""Campaign touches in REST and GraphQL (read only): the list and its filters, a contact's, lead's
and deal's own touches as their card lists them, cursor pages, query counts constant in page size,
and who may not read them — another workspace, a role without marketing, a key without the scope,
a plan without marketing, a rep outside the campaign's or the record's visibility."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_relay import to_global_id

from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.models import Touch
from modules.marketing.attribution.services import record_touch
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory, DealFactory
from tests.marketing.attribution.records import touched_records
from tests.marketing.campaigns.conftest import make_campaign
from tests.sales.catalog.conftest import MakeUser
from tests.tenancy import TenantFixture, grant

CARD_ORDER = {"contact": ["Late news", "Newsletter", "Webinar"], "lead": ["Trade show"],
              "deal": ["Retargeting", "Newsletter", "Trade show", "Webinar"]}  # fmt: skip
RECORD_TOUCHES = """query ($id: ID!, $first: Int, $after: String) { node(id: $id) {
  ... on Contact { campaignTouches(first: $first, after: $after) { ...page } }
  ... on Lead { campaignTouches(first: $first, after: $after) { ...page } }
  ... on Deal { campaignTouches(first: $first, after: $after) { ...page } } } }
fragment page on CampaignTouchConnection { totalCount pageInfo { hasNextPage endCursor }
  edges { node { kind campaign { name } } } }"""


def _names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["campaign"]["name"] for row in rows]


def _record_page(client: Any, type_name: str, pk: int, **variables: Any) -> dict[str, Any]:
    body = post_graphql(client, RECORD_TOUCHES, {"id": to_global_id(type_name, pk), **variables}).json()
    assert "errors" not in body, body
    return body["data"]["node"]["campaignTouches"]  # type: ignore[no-any-return]


def test_rest_lists_and_filters_touches_and_gives_each_records_own_as_its_card(alpha: TenantFixture) -> None:
    contact, lead, deal = touched_records(alpha)
    client = api_client(alpha)

    on_contact = client.get(f"/api/v1/campaign-touches/?contact={contact.pk}&ordering=occurred_at").json()
    clicks = client.get("/api/v1/campaign-touches/?kind=ad_click").json()["results"]
    recent = client.get("/api/v1/campaign-touches/", {"occurred_after": (timezone.now() - timedelta(days=3))
                                                       .isoformat()}).json()["results"]  # fmt: skip
    nested = {
        subject: client.get(f"/api/v1/{subject}s/{record.pk}/campaign-touches/").json()["results"]
        for subject, record in (("contact", contact), ("lead", lead), ("deal", deal))
    }
    one = client.get(f"/api/v1/campaign-touches/{clicks[0]['id']}/")

    assert _names(on_contact["results"]) == ["Webinar", "Newsletter", "Late news"]
    assert {row["contact"]["id"] for row in on_contact["results"]} == {contact.pk}
    assert [(row["kind"], row["deal"]["id"], row["contact"]) for row in clicks] == [("ad_click", deal.pk, None)]
    assert sorted(_names(recent)) == ["Late news", "Retargeting"]
    assert {subject: _names(rows) for subject, rows in nested.items()} == CARD_ORDER
    assert one.status_code == 200
    assert one.json()["campaign"]["name"] == "Retargeting"
    assert client.post("/api/v1/campaign-touches/", {}, content_type="application/json").status_code == 405
    for bad in ("kind=nope", "occurred_after=yesterday", f"contact=x{contact.pk}", "ordering=kind"):
        response = client.get(f"/api/v1/campaign-touches/?{bad}")
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["field"] == bad.split("=")[0]


def test_graphql_reads_touches_from_the_root_and_from_contacts_leads_and_deals(alpha: TenantFixture) -> None:
    contact, lead, deal = touched_records(alpha)
    client = alpha.client()
    root = post_graphql(client, """query ($contact: ID!) { campaignTouches(contact: $contact, orderBy: OCCURRED_AT) {
      totalCount edges { node { kind occurredAt campaign { name } contact { id } lead { id } deal { id } } } } }""",
                        {"contact": to_global_id("Contact", contact.pk)}).json()  # fmt: skip

    pages = {subject: _record_page(client, type_name, record.pk) for subject, type_name, record in
             (("contact", "Contact", contact), ("lead", "Lead", lead), ("deal", "Deal", deal))}  # fmt: skip
    first = _record_page(client, "Deal", deal.pk, first=2)
    rest = _record_page(client, "Deal", deal.pk, first=2, after=first["pageInfo"]["endCursor"])

    assert "errors" not in root, root
    nodes = [edge["node"] for edge in root["data"]["campaignTouches"]["edges"]]
    assert [node["campaign"]["name"] for node in nodes] == ["Webinar", "Newsletter", "Late news"]
    assert {node["contact"]["id"] for node in nodes} == {to_global_id("Contact", contact.pk)}
    assert nodes[0]["kind"] == "RESPONDED"
    assert nodes[0]["lead"] is None
    assert {subject: _names([edge["node"] for edge in page["edges"]]) for subject, page in pages.items()} == CARD_ORDER
    assert pages["deal"]["totalCount"] == 4
    assert (_names([e["node"] for e in first["edges"]]), first["pageInfo"]["hasNextPage"]) == (
        ["Retargeting", "Newsletter"], True,
    )  # fmt: skip
    assert _names([e["node"] for e in rest["edges"]]) == ["Trade show", "Webinar"]


def _many_deals(alpha: TenantFixture, count: int) -> None:
    """``count`` deals, each touched on itself and through its contact before its creation."""
    campaign, other = make_campaign(alpha, name="Batch"), make_campaign(alpha, name="Batch two")
    with alpha.active():
        for _number in range(count):
            contact = ContactFactory(owner=alpha.user())
            record_touch(campaign, kind=TouchKind.VISIT, contact=contact, occurred_at=timezone.now() - timedelta(1))
            deal = DealFactory(contact=contact, owner=alpha.user())
            record_touch(other, kind=TouchKind.AD_CLICK, deal=deal)


def test_query_counts_do_not_grow_with_the_page(alpha: TenantFixture) -> None:
    _many_deals(alpha, 2)
    client = api_client(alpha)
    deals = """query ($first: Int) { deals(first: $first) { edges { node { name campaignTouches(first: 5) {
      totalCount edges { node { kind campaign { name } contact { lastName } deal { name } } } } } } }
      contacts(first: $first) { edges { node { campaignTouches { edges { node { kind } } } } } } }"""

    def count(size: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as rest:
            assert client.get(f"/api/v1/campaign-touches/?page_size={size}").status_code == 200
        with CaptureQueriesContext(connection) as graphql:
            body = post_graphql(client, deals, {"first": size}).json()
        assert "errors" not in body, body
        assert all(edge["node"]["campaignTouches"]["totalCount"] == 2 for edge in body["data"]["deals"]["edges"])
        return len(rest.captured_queries), len(graphql.captured_queries)

    count(2)  # the first call warms the process's caches
    few = count(2)
    _many_deals(alpha, 6)
    assert count(8) == few


def test_other_workspaces_roles_keys_and_plans_without_marketing_read_no_touch(
    alpha: TenantFixture, beta: TenantFixture, make_user: MakeUser
) -> None:
    contact, _lead, deal = touched_records(alpha)
    with alpha.active():
        touch = Touch.objects.order_by("pk").first()
    assert touch is not None
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/campaign-touches/{touch.pk}/", {}),
        ("get", f"/api/v1/contacts/{contact.pk}/campaign-touches/", {}),
        ("get", f"/api/v1/deals/{deal.pk}/campaign-touches/", {}),
    ])  # fmt: skip
    assert api_client(beta).get("/api/v1/campaign-touches/").json()["results"] == []
    on_contact = "query ($id: ID!) { node(id: $id) { ... on Contact { campaignTouches { totalCount } } } }"
    contact_id = {"id": to_global_id("Contact", contact.pk)}

    # A key reading contacts but not marketing: 403 in REST, null on the contact, an error at the root.
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read", "sales:read"))
    keyed = bearer_client(alpha, contacts_only)
    assert keyed.get("/api/v1/campaign-touches/").status_code == 403
    assert keyed.get(f"/api/v1/contacts/{contact.pk}/campaign-touches/").status_code == 403
    assert post_graphql(keyed, on_contact, contact_id).json()["data"]["node"]["campaignTouches"] is None
    errors = post_graphql(keyed, "{ campaignTouches { totalCount } }").json()["errors"]
    assert errors[0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    _key, marketing_only = issue_key(alpha, scopes=("marketing:read",), name="Marketing only")
    assert bearer_client(alpha, marketing_only).get("/api/v1/campaign-touches/").status_code == 200
    # ... and the record must be readable too: a key without contacts:read cannot name the contact.
    assert (
        bearer_client(alpha, marketing_only).get(f"/api/v1/contacts/{contact.pk}/campaign-touches/").status_code == 404
    )

    # A role without marketing.view.
    make_user("sales_rep", "seller-touch-api@example.test")
    seller = api_client(alpha, "seller-touch-api@example.test")
    assert seller.get("/api/v1/campaign-touches/").status_code == 403
    assert seller.get(f"/api/v1/deals/{deal.pk}/campaign-touches/").status_code == 403
    errors = post_graphql(seller, "{ campaignTouches { totalCount } }").json()["errors"]
    assert errors[0]["extensions"]["code"] == "PERMISSION_DENIED"

    # A plan without marketing: the routes answer module-not-in-plan, the contact's touches are null.
    with alpha.active():
        without_modules(alpha, "marketing")
    admin = api_client(alpha)
    for path in ("/api/v1/campaign-touches/", f"/api/v1/contacts/{contact.pk}/campaign-touches/"):
        response = admin.get(path)
        assert response.status_code == 403, path
        assert response.json()["type"].endswith("module-not-in-plan")
    assert post_graphql(admin, on_contact, contact_id).json()["data"]["node"]["campaignTouches"] is None
    errors = post_graphql(admin, "{ campaignTouches { totalCount } }").json()["errors"]
    assert errors[0]["extensions"]["code"] == "MODULE_NOT_IN_PLAN"


def test_a_rep_reads_only_touches_of_campaigns_and_records_they_may_see(
    alpha: TenantFixture, make_user: MakeUser
) -> None:
    rep = make_user("sales_rep", "rita-touch-api@example.test")
    grant(alpha, "sales_rep", "marketing.view")
    breakfast = make_campaign(alpha, name="Breakfast", owner=rep)
    gala = make_campaign(alpha, name="Gala")  # the admin's: hidden from the rep
    with alpha.active():
        own, hidden = ContactFactory(owner=rep), ContactFactory(owner=alpha.user(), last_name="Hidden")
        record_touch(breakfast, kind=TouchKind.RESPONDED, contact=own)
        record_touch(breakfast, kind=TouchKind.RESPONDED, contact=hidden)
        record_touch(gala, kind=TouchKind.RESPONDED, contact=own)
    client = api_client(alpha, "rita-touch-api@example.test")

    listed = client.get("/api/v1/campaign-touches/").json()["results"]
    own_touches = client.get(f"/api/v1/contacts/{own.pk}/campaign-touches/").json()["results"]
    graphql = _record_page(client, "Contact", own.pk)

    assert sorted((row["campaign"]["name"], (row["contact"] or {}).get("id", 0)) for row in listed) == sorted(
        [("Breakfast", own.pk), ("Breakfast", 0)]
    )  # the admin's contact reads as null; the admin's campaign is not listed
    assert _names(own_touches) == ["Breakfast"]
    assert _names([edge["node"] for edge in graphql["edges"]]) == ["Breakfast"]
    assert client.get(f"/api/v1/contacts/{hidden.pk}/campaign-touches/").status_code == 404
