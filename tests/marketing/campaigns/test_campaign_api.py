"""REST /api/v1/campaigns/ and /api/v1/campaign_members/, and the GraphQL fields and mutations:
writes through the service, bad input, permissions, scopes, the plan, tenant isolation and query
counts."""

from __future__ import annotations

from graphql_relay import to_global_id

from identity.models import Role
from identity.services.accounts import ensure_user
from modules.marketing.models import Campaign, CampaignMember
from modules.marketing.services.campaigns import add_members
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import ContactFactory, LeadFactory
from tests.marketing.campaigns.conftest import make_campaign
from tests.tenancy import PASSWORD, TenantFixture, schema_snapshot


def test_a_campaign_and_its_members_are_written_through_rest(alpha: TenantFixture):
    with alpha.active():
        contact, lead = ContactFactory(), LeadFactory()
    client = api_client(alpha)

    created = post(client, "/api/v1/campaigns/", {"name": "API launch", "kind": "webinar", "budget": "250.00",
                                                   "start_date": "2030-01-01", "end_date": "2030-01-02"})  # fmt: skip
    pk = created.json()["id"]
    changed = patch(client, f"/api/v1/campaigns/{pk}/", {"status": "active", "actual_cost": "100.00"})
    member = post(client, "/api/v1/campaign_members/", {"campaign": pk, "contact": contact.pk, "status": "sent"})
    again = post(client, "/api/v1/campaign_members/", {"campaign": pk, "contact": contact.pk})
    lead_member = post(client, "/api/v1/campaign_members/", {"campaign": pk, "lead": lead.pk})
    responded = patch(client, f"/api/v1/campaign_members/{member.json()['id']}/", {"status": "responded"})
    moved = patch(client, f"/api/v1/campaign_members/{member.json()['id']}/", {"campaign": pk, "status": "attended"})
    listed = client.get(f"/api/v1/campaign_members/?campaign={pk}").json()["results"]
    removed = client.delete(f"/api/v1/campaign_members/{lead_member.json()['id']}/")

    assert created.status_code == 201, created.content
    assert changed.json()["status"] == "active"
    assert member.status_code == 201, member.content
    assert member.json()["contact"]["id"] == contact.pk
    assert again.status_code == 400
    assert field_names(again) == ["contact"]
    assert responded.json()["responded_at"] is not None
    assert moved.status_code == 200  # the campaign is read-only after creation: ignored, never moved
    assert (moved.json()["campaign"]["id"], moved.json()["status"]) == (pk, "attended")
    assert {row["id"] for row in listed} == {member.json()["id"], lead_member.json()["id"]}
    assert removed.status_code == 204
    with alpha.active():
        campaign = Campaign.objects.get(pk=pk)
        assert (campaign.kind, str(campaign.actual_cost)) == ("webinar", "100.00")
        assert list(CampaignMember.objects.values_list("contact_id", flat=True)) == [contact.pk]


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)
    cases = [
        ("/api/v1/campaigns/", {"name": "Nul\x00"}, "name"),
        ("/api/v1/campaigns/", {"name": "x" * 201}, "name"),
        ("/api/v1/campaigns/", {"name": "Cost", "budget": "-5"}, "budget"),
        ("/api/v1/campaigns/", {"name": "Kind", "kind": "billboard"}, "kind"),
        ("/api/v1/campaigns/", {"name": "Far", "start_date": "9999-01-01"}, "start_date"),
        ("/api/v1/campaign_members/", {"campaign": campaign.pk}, "contact"),
        ("/api/v1/campaign_members/", {"campaign": campaign.pk, "contact": 99_999_999}, "contact"),
        ("/api/v1/campaign_members/", {"contact": 1}, "campaign"),
    ]
    for path, body, field in cases:
        response = post(client, path, body)
        assert response.status_code == 400, (body, response.content)
        assert field in field_names(response), (body, response.json())
    assert schema_snapshot(alpha.tenant) == before


def test_roles_keys_and_plans_without_marketing_are_refused(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        role = Role.objects.create(key="no_marketing", name="No marketing", record_visibility="all",
                                   permissions=["contacts.view"])  # fmt: skip
        ensure_user(email="nomarketing@example.test", password=PASSWORD, role=role, full_name="No Marketing")
    without_view = api_client(alpha, "nomarketing@example.test")
    _key, sales_only = issue_key(alpha, scopes=("sales:read", "sales:write"))
    _key, read_only = issue_key(alpha, scopes=("marketing:read",), name="Reader")
    reader = bearer_client(alpha, read_only)
    query = "{ campaigns(first: 5) { edges { node { name } } } }"

    assert without_view.get("/api/v1/campaigns/").status_code == 403
    assert without_view.get("/api/v1/campaign_members/").status_code == 403
    assert bearer_client(alpha, sales_only).get("/api/v1/campaigns/").status_code == 403
    assert "errors" in post_graphql(bearer_client(alpha, sales_only), query).json()
    assert reader.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 200
    refused = reader.patch(f"/api/v1/campaigns/{campaign.pk}/", {"name": "X"}, content_type="application/json")
    assert refused.status_code == 403
    assert "marketing:write" in refused.json()["detail"]

    alpha.tenant.enabled_modules = [key for key in alpha.tenant.enabled_modules if key != "marketing"]
    alpha.tenant.save()
    for path in ("/api/v1/campaigns/", "/api/v1/campaign_members/"):
        response = api_client(alpha).get(path)
        assert response.status_code == 403, path
        assert response.json()["type"].endswith("module-not-in-plan")
    errors = post_graphql(alpha.client(), query).json()["errors"]
    assert errors[0]["extensions"]["code"] == "MODULE_NOT_IN_PLAN"


def test_campaigns_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        (member,) = add_members(campaign, by=None, contacts=[ContactFactory()])
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/campaigns/{campaign.pk}/", {}),
        ("patch", f"/api/v1/campaigns/{campaign.pk}/", {"name": "stolen"}),
        ("delete", f"/api/v1/campaigns/{campaign.pk}/", {}),
        ("get", f"/api/v1/campaign_members/{member.pk}/", {}),
        ("patch", f"/api/v1/campaign_members/{member.pk}/", {"status": "attended"}),
        ("delete", f"/api/v1/campaign_members/{member.pk}/", {}),
    ])  # fmt: skip


def test_graphql_reads_and_writes_campaigns_and_members(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory()
    client = alpha.client()
    created = post_graphql(
        client,
        """mutation { campaignCreate(input: {name: "GraphQL fair", kind: TRADE_SHOW,
        budget: "900.00"}) { campaign { id name kind } errors { field message } } }""",
    ).json()["data"]["campaignCreate"]
    campaign_id = created["campaign"]["id"]
    contact_id = to_global_id("Contact", contact.pk)
    added = post_graphql(
        client,
        f"""mutation {{ campaignMemberAdd(input: {{campaign: "{campaign_id}", contact: "{contact_id}",
        status: REGISTERED}}) {{ member {{ id status respondedAt contact {{ id }} }} errors {{ field }} }} }}""",
    ).json()
    member = added["data"]["campaignMemberAdd"]["member"]
    duplicate = post_graphql(
        client,
        f"""mutation {{ campaignMemberAdd(input: {{campaign: "{campaign_id}",
        contact: "{contact_id}"}}) {{ errors {{ field }} }} }}""",
    ).json()["data"]["campaignMemberAdd"]
    moved = post_graphql(
        client,
        f"""mutation {{ campaignMemberUpdate(id: "{member["id"]}", input: {{
        campaign: "{campaign_id}", status: ATTENDED}}) {{ errors {{ field }} }} }}""",
    ).json()["data"]
    bad = post_graphql(client, """mutation { campaignCreate(input: {name: ""}) { errors { field } } }""").json()
    listed = post_graphql(
        client,
        f"""{{ campaignMembers(first: 10, campaign: "{campaign_id}") {{
        edges {{ node {{ status campaign {{ name }} }} }} }} }}""",
    ).json()["data"]["campaignMembers"]["edges"]

    assert created["errors"] == []
    assert created["campaign"]["kind"] == "TRADE_SHOW"
    assert member["status"] == "REGISTERED"
    assert member["respondedAt"] is not None
    assert member["contact"]["id"] == contact_id
    assert duplicate["errors"] == [{"field": "contact"}]
    assert moved["campaignMemberUpdate"]["errors"] == [{"field": "campaign"}]  # only the status changes
    assert bad["data"]["campaignCreate"]["errors"][0]["field"] == "name"
    assert listed == [{"node": {"status": "REGISTERED", "campaign": {"name": "GraphQL fair"}}}]


def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        add_members(campaign, by=None, contacts=ContactFactory.create_batch(5))
    for number in range(4):
        make_campaign(alpha, name=f"Few {number}")
    client = api_client(alpha)
    few, _response = queries_for(client, "/api/v1/campaigns/?page_size=100")
    few_members, _response = queries_for(client, "/api/v1/campaign_members/?page_size=100")
    with alpha.active():
        add_members(campaign, by=None, contacts=ContactFactory.create_batch(40), leads=LeadFactory.create_batch(5))
    for number in range(45):
        make_campaign(alpha, name=f"Many {number}")
    many, response = queries_for(client, "/api/v1/campaigns/?page_size=100")
    many_members, members = queries_for(client, "/api/v1/campaign_members/?page_size=100")

    assert len(response.json()["results"]) == 50
    assert len(members.json()["results"]) == 50
    assert many == few
    assert many_members == few_members
