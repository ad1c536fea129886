"""GraphQL: leads, deals, pipelines, products and quotes — queries, conversion, stage moves, the module switch."""

from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from modules.contacts.models import Company, Contact
from modules.sales.models import Deal, Lead, LostReason, Pipeline, Quote, QuoteLine, Stage
from tests.api.helpers import post_graphql
from tests.factories import CompanyFactory, DealFactory, LeadFactory, ProductFactory, TagFactory
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, schema_snapshot

DEALS = """
query Deals($first: Int, $status: DealStatus, $stage: ID, $owner: ID, $search: String, $orderBy: DealOrderBy) {
  deals(first: $first, status: $status, stage: $stage, owner: $owner, search: $search, orderBy: $orderBy) {
    totalCount
    edges { node { name amount status effectiveProbability weightedAmount stage { name } pipeline { name }
                   owner { email } company { name } tags { name } } }
  }
}
"""
LEADS = """
query Leads($status: LeadStatus, $search: String, $orderBy: LeadOrderBy) {
  leads(status: $status, search: $search, orderBy: $orderBy) {
    totalCount edges { node { fullName companyName status owner { email } } }
  }
}
"""
LEAD_CONVERT = """
mutation Convert($id: ID!, $dealName: String) {
  leadConvert(id: $id, dealName: $dealName) {
    lead { status convertedCompany { name } convertedContact { fullName } convertedDeal { name } }
    company { name lifecycleStage }
    contact { fullName email company { name } }
    deal { name amount stage { name } company { name } }
    errors { field message code }
  }
}
"""
DEAL_MOVE = """
mutation Move($id: ID!, $stage: ID!, $lostReason: ID, $lostNote: String) {
  dealMove(id: $id, stage: $stage, lostReason: $lostReason, lostNote: $lostNote) {
    deal { status stage { name } lostReason { name } lostNote }
    errors { field message code }
  }
}
"""
DEAL_CREATE = """
mutation Create($input: DealInput!) {
  dealCreate(input: $input) {
    deal { name amount currency stage { name } owner { email } }
    errors { field message code }
  }
}
"""


def stage(name: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, name=name)


def deal_names(body: dict) -> list[str]:
    return [edge["node"]["name"] for edge in body["data"]["deals"]["edges"]]


def test_deals_list_with_stage_probability_and_filters(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        acme = CompanyFactory(name="Acme")
        big = DealFactory(name="Big renewal", amount=Decimal("5000.00"), owner=rep, company=acme,
                          stage=stage("Proposal"))  # fmt: skip
        big.tags.add(TagFactory(name="renewal"))
        DealFactory(name="Small pilot", amount=Decimal("100.00"))
        proposal = stage("Proposal")
    client = alpha.client()

    everything = post_graphql(client, DEALS, {"orderBy": "AMOUNT_DESC"}).json()
    in_proposal = post_graphql(client, DEALS, {"stage": to_global_id("Stage", proposal.pk)}).json()
    by_owner = post_graphql(client, DEALS, {"owner": to_global_id("User", rep.pk)}).json()
    searched = post_graphql(client, DEALS, {"search": "pilot"}).json()

    assert everything["data"]["deals"]["totalCount"] == 2
    assert everything["data"]["deals"]["edges"][0]["node"] == {
        "name": "Big renewal",
        "amount": "5000.00",
        "status": "OPEN",
        "effectiveProbability": 50,
        "weightedAmount": "2500.00",
        "stage": {"name": "Proposal"},
        "pipeline": {"name": "Sales pipeline"},
        "owner": {"email": REP_EMAIL},
        "company": {"name": "Acme"},
        "tags": [{"name": "renewal"}],
    }
    assert deal_names(in_proposal) == ["Big renewal"]
    assert deal_names(by_owner) == ["Big renewal"]
    assert deal_names(searched) == ["Small pilot"]


def test_leads_filter_by_status_and_a_rep_sees_only_own(alpha: TenantFixture):
    with alpha.active():
        LeadFactory(first_name="Ana", last_name="Pop", company_name="Pop SRL", owner=alpha.user(REP_EMAIL))
        LeadFactory(first_name="Dan", last_name="Ilie", status="qualified", owner=alpha.user())

    qualified = post_graphql(alpha.client(), LEADS, {"status": "QUALIFIED"}).json()
    as_rep = post_graphql(alpha.client(REP_EMAIL), LEADS, {"orderBy": "FULL_NAME"}).json()
    searched = post_graphql(alpha.client(), LEADS, {"search": "pop srl"}).json()

    assert qualified["data"]["leads"] == {
        "totalCount": 1,
        "edges": [{"node": {"fullName": "Dan Ilie", "companyName": qualified["data"]["leads"]["edges"][0]["node"][
            "companyName"], "status": "QUALIFIED", "owner": {"email": ADMIN_EMAIL}}}],
    }  # fmt: skip
    assert [edge["node"]["fullName"] for edge in as_rep["data"]["leads"]["edges"]] == ["Ana Pop"]
    assert [edge["node"]["fullName"] for edge in searched["data"]["leads"]["edges"]] == ["Ana Pop"]


def test_pipelines_list_their_stages_in_order_and_lost_reasons_are_listed(alpha: TenantFixture):
    response = post_graphql(
        alpha.client(REP_EMAIL),
        "{ pipelines { totalCount edges { node { name isDefault stages { name kind probability requiredFields } } } }"
        "  lostReasons { totalCount edges { node { name } } } }",
    )

    body = response.json()["data"]
    pipeline = body["pipelines"]["edges"][0]["node"]
    assert body["pipelines"]["totalCount"] == 1
    assert (pipeline["name"], pipeline["isDefault"]) == ("Sales pipeline", True)
    assert [(s["name"], s["kind"], s["probability"]) for s in pipeline["stages"]] == [
        ("Qualification", "OPEN", 10),
        ("Needs analysis", "OPEN", 25),
        ("Proposal", "OPEN", 50),
        ("Negotiation", "OPEN", 75),
        ("Won", "WON", 100),
        ("Lost", "LOST", 0),
    ]
    assert pipeline["stages"][2]["requiredFields"] == ["amount", "company"]
    assert [edge["node"]["name"] for edge in body["lostReasons"]["edges"]] == [
        "Price", "Chose a competitor", "No budget", "No decision", "Timing",
    ]  # fmt: skip


@pytest.mark.parametrize("rows", [5, 50])
def test_deal_and_lead_lists_take_the_same_number_of_queries_for_5_and_50_rows(
    alpha: TenantFixture, rows: int, django_assert_max_num_queries
):
    admin = alpha.user()
    with alpha.active():
        tag = TagFactory()
        for _ in range(rows):
            DealFactory(owner=admin, company=CompanyFactory(owner=admin)).tags.add(tag)
            LeadFactory(owner=admin)
    client = alpha.client()

    # search_path, domain, search_path, session, user, definitions version, COUNT, page (with stage, pipeline,
    # owner), tags, then the deals' companies (their contacts and leads are empty: no query); the leads' converted
    # records likewise.
    with django_assert_max_num_queries(10):
        deals = post_graphql(client, DEALS, {"first": 50}).json()
    with django_assert_max_num_queries(9):
        leads = post_graphql(client, LEADS).json()

    assert len(deals["data"]["deals"]["edges"]) == rows
    assert leads["data"]["leads"]["totalCount"] == rows


def test_lead_convert_creates_company_contact_and_deal(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(first_name="Ana", last_name="Pop", company_name="Pop SRL", email="ana@pop.example",
                           estimated_value=Decimal("1200.00"), owner=alpha.user())  # fmt: skip

    response = post_graphql(alpha.client(), LEAD_CONVERT, {"id": to_global_id("Lead", lead.pk), "dealName": "Pop deal"})

    assert response.json()["data"]["leadConvert"] == {
        "lead": {
            "status": "CONVERTED",
            "convertedCompany": {"name": "Pop SRL"},
            "convertedContact": {"fullName": "Ana Pop"},
            "convertedDeal": {"name": "Pop deal"},
        },
        "company": {"name": "Pop SRL", "lifecycleStage": "OPPORTUNITY"},
        "contact": {"fullName": "Ana Pop", "email": "ana@pop.example", "company": {"name": "Pop SRL"}},
        "deal": {
            "name": "Pop deal",
            "amount": "1200.00",
            "stage": {"name": "Qualification"},
            "company": {"name": "Pop SRL"},
        },
        "errors": [],
    }


def test_converting_twice_or_without_a_person_is_refused_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        converted = LeadFactory(status="converted")
        nameless = LeadFactory(first_name="", last_name="", company_name="Only a company")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    again = post_graphql(client, LEAD_CONVERT, {"id": to_global_id("Lead", converted.pk)}).json()
    no_person = post_graphql(client, LEAD_CONVERT, {"id": to_global_id("Lead", nameless.pk)}).json()

    assert again["data"]["leadConvert"]["errors"] == [
        {"field": "status", "message": "This lead is already converted.", "code": "INVALID"}
    ]
    assert no_person["data"]["leadConvert"]["errors"] == [
        {"field": "contact", "message": "The lead has no person's name: choose an existing contact.", "code": "INVALID"}
    ]
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        assert not Company.objects.filter(name="Only a company").exists()


def test_deal_move_into_a_stage_with_a_missing_required_field_names_it_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(amount=Decimal("500.00"), company=None)
        proposal = stage("Proposal")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = post_graphql(
        client, DEAL_MOVE, {"id": to_global_id("Deal", deal.pk), "stage": to_global_id("Stage", proposal.pk)}
    )

    assert response.json()["data"]["dealMove"] == {
        "deal": None,
        "errors": [{"field": "company", "message": "Company is required in the stage Proposal.", "code": "REQUIRED"}],
    }
    assert schema_snapshot(alpha.tenant) == before


def test_deal_move_to_lost_needs_a_reason_and_records_it(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory()
        lost = stage("Lost")
        price = LostReason.objects.get(name="Price")
    client = alpha.client()
    variables = {"id": to_global_id("Deal", deal.pk), "stage": to_global_id("Stage", lost.pk)}

    without_reason = post_graphql(client, DEAL_MOVE, variables).json()
    with_reason = post_graphql(
        client, DEAL_MOVE, {**variables, "lostReason": to_global_id("LostReason", price.pk), "lostNote": "Too dear"}
    ).json()

    assert without_reason["data"]["dealMove"]["errors"] == [
        {"field": "lostReason", "message": "Say why the deal was lost.", "code": "REQUIRED"}
    ]
    assert with_reason["data"]["dealMove"] == {
        "deal": {"status": "LOST", "stage": {"name": "Lost"}, "lostReason": {"name": "Price"}, "lostNote": "Too dear"},
        "errors": [],
    }


def test_deal_create_defaults_and_bad_input(alpha: TenantFixture):
    client = alpha.client(REP_EMAIL)

    created = post_graphql(client, DEAL_CREATE, {"input": {"name": "New deal", "amount": "10.50"}}).json()
    negative = post_graphql(client, DEAL_CREATE, {"input": {"name": "Bad", "amount": "-1"}}).json()
    wrong_stage = post_graphql(
        client, DEAL_CREATE, {"input": {"name": "Bad", "stage": to_global_id("Stage", 99999)}}
    ).json()

    assert created["data"]["dealCreate"] == {
        "deal": {"name": "New deal", "amount": "10.50", "currency": "EUR", "stage": {"name": "Qualification"},
                 "owner": {"email": REP_EMAIL}},
        "errors": [],
    }  # fmt: skip
    assert negative["data"]["dealCreate"]["errors"] == [
        {"field": "amount", "message": "Ensure this value is greater than or equal to 0.", "code": "INVALID"}
    ]
    assert wrong_stage["data"]["dealCreate"]["errors"] == [
        {"field": "stage", "message": "No such record, or not one you can see.", "code": "NOT_FOUND"}
    ]
    with alpha.active():
        assert list(Deal.objects.values_list("name", flat=True)) == ["New deal"]


def test_lead_update_and_a_rep_cannot_delete(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(owner=alpha.user(REP_EMAIL))
    client = alpha.client(REP_EMAIL)

    updated = post_graphql(
        client,
        'mutation($id: ID!) { leadUpdate(id: $id, input: {status: QUALIFIED, tags: ["hot"]}) {'
        " lead { status tags { name } } errors { code } } }",
        {"id": to_global_id("Lead", lead.pk)},
    ).json()
    deleted = post_graphql(
        client, "mutation($id: ID!) { leadDelete(id: $id) { errors { code } } }", {"id": to_global_id("Lead", lead.pk)}
    ).json()

    assert updated["data"]["leadUpdate"] == {"lead": {"status": "QUALIFIED", "tags": [{"name": "hot"}]}, "errors": []}
    assert deleted["data"]["leadDelete"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    with alpha.active():
        assert Lead.objects.filter(pk=lead.pk).exists()


def test_products_and_quotes_are_listed_with_lines(alpha: TenantFixture):
    with alpha.active():
        product = ProductFactory(name="Licence", sku="LIC-1")
        ProductFactory(name="Old thing", is_active=False)
        quote = Quote.objects.create(number="Q-2026-0001", owner=alpha.user(), total=Decimal("119.00"))
        QuoteLine.objects.create(quote=quote, product=product, description="Licence", unit_price=Decimal("100.00"))

    body = post_graphql(
        alpha.client(),
        "{ products(isActive: true) { totalCount edges { node { name sku unitPrice taxRate } } }"
        "  quotes { edges { node { number status total owner { email } lines { description product { sku } } } } } }",
    ).json()

    assert body["data"]["products"] == {
        "totalCount": 1,
        "edges": [{"node": {"name": "Licence", "sku": "LIC-1", "unitPrice": "100.00", "taxRate": "19.00"}}],
    }
    assert body["data"]["quotes"]["edges"] == [
        {"node": {"number": "Q-2026-0001", "status": "DRAFT", "total": "119.00", "owner": {"email": ADMIN_EMAIL},
                  "lines": [{"description": "Licence", "product": {"sku": "LIC-1"}}]}}
    ]  # fmt: skip


def test_with_sales_not_in_the_plan_sales_fields_answer_not_in_plan_and_links_are_null(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(name="Hidden")
        from tests.factories import ActivityFactory

        ActivityFactory(subject="On a deal", deal=deal, assignee=alpha.user())
    alpha.tenant.enabled_modules = [key for key in alpha.tenant.enabled_modules if key != "sales"]
    alpha.tenant.save()
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    listed = post_graphql(client, "{ deals { totalCount } }").json()
    node = post_graphql(
        client, "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("Deal", deal.pk)}
    ).json()
    activity = post_graphql(client, "{ activities { edges { node { subject deal { name } } } } }").json()
    created = post_graphql(client, DEAL_CREATE, {"input": {"name": "X"}}).json()

    message = "Sales is not in your plan. Your data is kept; upgrade the plan to use it again."
    refusal = (message, {"code": "MODULE_NOT_IN_PLAN", "module": "sales"})
    assert listed["data"] == {"deals": None}
    assert [(error["message"], error["extensions"]) for error in listed["errors"]] == [refusal]
    assert node["data"] == {"node": None}
    assert [(error["message"], error["extensions"]) for error in node["errors"]] == [refusal]
    assert activity["data"]["activities"]["edges"] == [{"node": {"subject": "On a deal", "deal": None}}]
    assert created["data"]["dealCreate"] is None
    assert [(error["message"], error["extensions"]) for error in created["errors"]] == [refusal]
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        assert not Contact.objects.exists()
        assert Pipeline.objects.count() == 1
