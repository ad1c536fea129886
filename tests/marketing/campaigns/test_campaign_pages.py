"""Campaign pages: home, list, create, edit, delete and a campaign's page with its members;
permissions, the plan gate, tenant isolation, bad input and query counts."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.contacts.models import TimelineEntry
from modules.marketing.choices import MemberStatus, SegmentKind
from modules.marketing.models import Campaign, CampaignMember, Segment, SegmentMember
from modules.marketing.services.campaigns import add_members
from tenants.models import Tenant
from tests.factories import ContactFactory, LeadFactory
from tests.marketing.campaigns.conftest import make_campaign
from tests.sales.catalog.conftest import MakeUser
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

FORM = {
    "name": "Autumn webinar", "kind": "webinar", "status": "planned", "currency": "EUR", "budget": "1500.00",
    "actual_cost": "200.00", "expected_revenue": "9000.00", "start_date": "2030-03-01", "end_date": "2030-03-02",
}  # fmt: skip


def queries(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return len(captured.captured_queries), response.content.decode()


def test_a_marketer_creates_a_campaign_and_finds_it_in_the_list_and_on_its_page(alpha: TenantFixture):
    parent = make_campaign(alpha, name="Year of events")
    client = alpha.client()

    form = client.get(f"/marketing/campaigns/new/?parent={parent.pk}")
    created = client.post("/marketing/campaigns/new/", {**FORM, "parent": parent.pk, "owner": alpha.user().pk})
    with alpha.active():
        campaign = Campaign.objects.get(name="Autumn webinar")
    listed = client.get("/marketing/campaigns/").content.decode()
    page = client.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    parent_page = client.get(f"/marketing/campaigns/{parent.pk}/").content.decode()
    home = client.get("/marketing/").content.decode()

    assert form.status_code == 200
    assert created.status_code == 302
    assert created["Location"] == f"/marketing/campaigns/{campaign.pk}/"
    assert (campaign.kind, campaign.budget, campaign.parent_id) == ("webinar", Decimal("1500.00"), parent.pk)
    assert "Autumn webinar" in listed
    assert 'data-testid="campaign-header"' in page
    assert 'data-testid="members-by-status"' in page
    assert 'data-testid="campaign-results"' in page
    assert "ROI = (won revenue − cost) / cost" in page
    assert f'href="/marketing/campaigns/{campaign.pk}/"' in parent_page  # a sub-campaign
    assert 'href="/marketing/campaigns/"' in home


def test_the_list_filters_by_kind_status_owner_dates_and_search(alpha: TenantFixture):
    webinar = make_campaign(alpha, name="Webinar on soil", kind="webinar", status="active",
                            start_date="2030-01-10", end_date="2030-01-10")  # fmt: skip
    ads = make_campaign(alpha, name="Ads for tractors", kind="ads", status="planned", owner=None,
                        start_date="2030-05-01", end_date="2030-06-30")  # fmt: skip
    client = alpha.client()

    def listed(query: str) -> set[str]:
        response = client.get(f"/marketing/campaigns/?{query}")
        assert response.status_code == 200
        return {row.name for row in response.context["rows"]}

    assert listed("kind=webinar") == {webinar.name}
    assert listed("status=planned") == {ads.name}
    assert listed("owner=me") == {webinar.name}
    assert listed("from=2030-05-15") == {ads.name}
    assert listed("to=2030-02-01") == {webinar.name}
    assert listed("q=tractor") == {ads.name}
    assert listed("from=not-a-date&kind=nonsense") == {webinar.name, ads.name}


def test_a_saved_view_of_campaigns_keeps_its_filters(alpha: TenantFixture):
    client = alpha.client()
    saved = client.post("/marketing/campaigns/views/", {"name": "Webinars", "query": "kind=webinar"})
    assert saved.status_code in (302, 303)
    page = client.get("/marketing/campaigns/").content.decode()
    assert "Webinars" in page


def test_members_are_added_from_a_search_and_a_segment_and_their_status_changes(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        olga = ContactFactory(first_name="Olga", last_name="Orchard")
        lead = LeadFactory(first_name="Olaf", last_name="Orchid")
        segment = Segment.objects.create(name="Farmers", kind=SegmentKind.STATIC)
        farmers = ContactFactory.create_batch(3)
        SegmentMember.objects.bulk_create(SegmentMember(segment=segment, contact=contact) for contact in farmers)
    client = alpha.client()
    path = f"/marketing/campaigns/{campaign.pk}"

    found = client.get(f"{path}/?member_q=Or").content.decode()
    added = client.post(f"{path}/members/add/", {"contacts": [olga.pk], "leads": [lead.pk], "status": "sent"})
    from_segment = client.post(f"{path}/members/segment/", {"segment": segment.pk, "status": "targeted"})
    again = client.post(f"{path}/members/segment/", {"segment": segment.pk, "status": "targeted"})
    with alpha.active():
        member = CampaignMember.objects.get(contact=olga)
    changed = client.post(f"{path}/members/{member.pk}/status/", {"status": "attended"})
    with alpha.active():
        lead_member = CampaignMember.objects.get(lead=lead)
    removed = client.post(f"{path}/members/remove/", {"members": [lead_member.pk]})
    page = client.get(f"{path}/").content.decode()

    assert "Olga Orchard" in found
    assert "Olaf Orchid" in found
    assert [r.status_code for r in (added, from_segment, again, changed, removed)] == [302] * 5
    with alpha.active():
        member.refresh_from_db()
        assert member.status == MemberStatus.ATTENDED
        assert member.responded_at is not None
        assert set(CampaignMember.objects.values_list("contact_id", flat=True)) == {olga.pk, *(c.pk for c in farmers)}
    assert 'data-status="attended"' in page


def test_bad_member_input_is_a_400_naming_the_problem_and_writes_nothing(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        contact = ContactFactory()
        (member,) = add_members(campaign, by=alpha.user(), contacts=[contact])
    client = alpha.client()
    path = f"/marketing/campaigns/{campaign.pk}"
    before = schema_snapshot(alpha.tenant)

    responses = [
        client.post(f"{path}/members/add/", {"contacts": ["abc"], "status": "sent"}),
        client.post(f"{path}/members/add/", {"status": "sent"}),
        client.post(f"{path}/members/add/", {"contacts": [contact.pk], "status": "maybe"}),
        client.post(f"{path}/members/segment/", {"segment": "99999999", "status": "sent"}),
        client.post(f"{path}/members/{member.pk}/status/", {"status": "\x00"}),
        client.post(f"{path}/members/remove/", {"members": ["x"]}),
        client.post("/marketing/campaigns/new/", {**FORM, "name": "Nul\x00"}),
        client.post("/marketing/campaigns/new/", {**FORM, "name": "x" * 300}),
        client.post("/marketing/campaigns/new/", {**FORM, "budget": "1e20"}),
        client.post("/marketing/campaigns/new/", {**FORM, "start_date": "2030-03-05"}),
        client.get("/marketing/attribution/?start=2030-02-01&end=2030-01-01"),
    ]

    assert [response.status_code for response in responses] == [400] * len(responses)
    assert "name" in responses[6].context["form"].errors
    assert "budget" in responses[8].context["form"].errors
    assert schema_snapshot(alpha.tenant) == before


def test_deleting_a_campaign_removes_it_and_its_members(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        add_members(campaign, by=alpha.user(), contacts=[ContactFactory()])
    response = alpha.client().post(f"/marketing/campaigns/{campaign.pk}/delete/")
    assert response.status_code == 302
    with alpha.active():
        assert not Campaign.objects.exists()
        assert not CampaignMember.objects.exists()
        assert TimelineEntry.objects.filter(kind="campaign").count() == 1  # the contact's history stays


def test_a_role_without_marketing_view_is_refused_every_page(alpha: TenantFixture, make_user: MakeUser):
    campaign = make_campaign(alpha)
    with alpha.active():
        contact = ContactFactory(owner=None)
    make_user("sales_rep", "seller@example.test")
    seller = alpha.client("seller@example.test")
    before = schema_snapshot(alpha.tenant)
    path = f"/marketing/campaigns/{campaign.pk}"

    for url in ("/marketing/", "/marketing/campaigns/", f"{path}/", "/marketing/campaigns/new/", f"{path}/edit/",
                "/marketing/attribution/", f"/marketing/campaigns/of/contact/{contact.pk}/"):  # fmt: skip
        assert seller.get(url).status_code == 403, url
    assert seller.post(f"{path}/members/add/", {"contacts": [contact.pk]}).status_code == 403
    assert seller.post(f"{path}/delete/").status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_a_role_without_marketing_change_reads_but_writes_nothing(alpha: TenantFixture, make_user: MakeUser):
    campaign = make_campaign(alpha)
    with alpha.active():
        contact = ContactFactory()
        (member,) = add_members(campaign, by=alpha.user(), contacts=[contact])
    make_user("read_only", "reader@example.test")
    reader = alpha.client("reader@example.test")
    before = schema_snapshot(alpha.tenant)
    path = f"/marketing/campaigns/{campaign.pk}"

    page = reader.get(f"{path}/")
    refused = [
        reader.get("/marketing/campaigns/new/"),
        reader.post("/marketing/campaigns/new/", FORM),
        reader.post(f"{path}/edit/", FORM),
        reader.post(f"{path}/members/add/", {"contacts": [contact.pk], "status": "sent"}),
        reader.post(f"{path}/members/{member.pk}/status/", {"status": "attended"}),
        reader.post(f"{path}/members/remove/", {"members": [member.pk]}),
        reader.post(f"{path}/delete/"),
        reader.post(
            "/marketing/campaigns/bulk/",
            {"action": "campaign_status", "ids": [campaign.pk], "campaign_status": "aborted"},
        ),
        reader.get("/marketing/attribution/"),  # read-only has no marketing.view_reports
    ]

    assert page.status_code == 200
    assert 'data-testid="member-search"' not in page.content.decode()
    assert 'data-testid="campaign-results"' not in page.content.decode()
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert schema_snapshot(alpha.tenant) == before


def test_without_the_marketing_module_the_pages_say_not_in_plan(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=["sales"])
    client = alpha.client()

    for path in ("/marketing/", "/marketing/campaigns/", f"/marketing/campaigns/{campaign.pk}/",
                 "/marketing/attribution/"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 403, path
        assert "not in your plan" in response.content.decode(), path
    assert 'href="/marketing/' not in client.get("/").content.decode()


def test_campaign_pages_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    campaign = make_campaign(alpha, name="Alpha only campaign")
    with alpha.active():
        contact = ContactFactory(first_name="Alpha", last_name="Only")
        lead = LeadFactory()
        (member,) = add_members(campaign, by=alpha.user(), contacts=[contact])
    path = f"/marketing/campaigns/{campaign.pk}"
    assert_cross_tenant_requests_fail(alpha, beta, [
        ("get", f"{path}/", {}),
        ("get", f"{path}/edit/", {}),
        ("post", f"{path}/edit/", FORM),
        ("post", f"{path}/delete/", {}),
        ("post", f"{path}/members/add/", {"contacts": [contact.pk], "status": "sent"}),
        ("post", f"{path}/members/segment/", {"segment": 1, "status": "sent"}),
        ("post", f"{path}/members/{member.pk}/status/", {"status": "attended"}),
        ("post", f"{path}/members/remove/", {"members": [member.pk]}),
        ("get", f"/marketing/campaigns/of/contact/{contact.pk}/", {}),
        ("get", f"/marketing/campaigns/of/lead/{lead.pk}/", {}),
    ])  # fmt: skip
    assert "Alpha only campaign" not in beta.client().get("/marketing/campaigns/").content.decode()


def test_the_campaigns_card_of_a_contact_and_a_lead(alpha: TenantFixture):
    campaign = make_campaign(alpha, name="Card campaign")
    with alpha.active():
        contact = ContactFactory()
        lead = LeadFactory()
        add_members(campaign, by=alpha.user(), contacts=[contact], leads=[lead], status=MemberStatus.REGISTERED)
    client = alpha.client()
    contact_card = client.get(f"/marketing/campaigns/of/contact/{contact.pk}/").content.decode()
    lead_card = client.get(f"/marketing/campaigns/of/lead/{lead.pk}/").content.decode()
    contact_page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Card campaign" in contact_card
    assert "Registered" in contact_card
    assert "Card campaign" in lead_card
    assert f"/marketing/campaigns/of/contact/{contact.pk}/" in contact_page


def test_the_list_costs_the_same_queries_for_5_and_50_campaigns(alpha: TenantFixture):
    for number in range(5):
        make_campaign(alpha, name=f"Campaign {number}")
    client = alpha.client()
    few, _page = queries(client, "/marketing/campaigns/")
    for number in range(45):
        make_campaign(alpha, name=f"More {number}")
    many, page = queries(client, "/marketing/campaigns/")
    assert page.count('href="/marketing/campaigns/') >= 50
    assert many == few


def test_a_campaign_page_costs_the_same_queries_for_5_and_50_members(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        add_members(campaign, by=alpha.user(), contacts=ContactFactory.create_batch(4), leads=[LeadFactory()])
    client = alpha.client()
    few, _page = queries(client, f"/marketing/campaigns/{campaign.pk}/")
    with alpha.active():
        add_members(campaign, by=alpha.user(), contacts=ContactFactory.create_batch(40),
                    leads=LeadFactory.create_batch(5))  # fmt: skip
    many, page = queries(client, f"/marketing/campaigns/{campaign.pk}/")
    assert page.count("data-member=") == 50
    assert many == few
