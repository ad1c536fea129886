"""REST /api/v1/leads/: CRUD, conversion into company + contact + deal in one transaction, filters,
visibility, permissions, the sales module switched off, tenant isolation and query counts."""

from decimal import Decimal

from modules.contacts.models import Company, Contact, TimelineEntry
from modules.sales.models import Deal, Lead, Pipeline
from tests.api.helpers import PROBLEM_BASE
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import LeadFactory, PipelineFactory, TagFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot


def test_create_update_and_delete_a_lead(alpha: TenantFixture):
    client = api_client(alpha)

    created = post(
        client,
        "/api/v1/leads/",
        {"first_name": "Jane", "last_name": "Roe", "company_name": "Roe Ltd", "estimated_value": "2500.00",
         "currency": "EUR", "tags": ["webinar"]},
    )  # fmt: skip
    lead_id = created.json()["id"]
    updated = patch(client, f"/api/v1/leads/{lead_id}/", {"status": "qualified"})
    deleted = client.delete(f"/api/v1/leads/{lead_id}/")

    assert created.status_code == 201
    assert {key: created.json()[key] for key in ("full_name", "estimated_value", "currency", "tags", "status")} == {
        "full_name": "Jane Roe",
        "estimated_value": "2500.00",
        "currency": "EUR",
        "tags": ["webinar"],
        "status": "new",
    }
    assert updated.status_code == 200
    assert updated.json()["status"] == "qualified"
    assert deleted.status_code == 204
    with alpha.active():
        assert not Lead.objects.filter(pk=lead_id).exists()


def test_a_lead_without_any_name_is_a_400_naming_last_name_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        leads = Lead.objects.count()

    response = post(api_client(alpha), "/api/v1/leads/", {"email": "anon@example.test"})

    assert response.status_code == 400
    assert field_names(response) == ["last_name"]
    with alpha.active():
        assert Lead.objects.count() == leads


def test_setting_converted_by_hand_is_a_400_naming_status(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(owner=alpha.user())

    response = patch(api_client(alpha), f"/api/v1/leads/{lead.pk}/", {"status": "converted"})

    assert response.status_code == 400
    assert field_names(response) == ["status"]
    with alpha.active():
        lead.refresh_from_db()
        assert lead.status == "new"


def test_converting_a_lead_creates_company_contact_and_deal(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        lead = LeadFactory(first_name="Ann", last_name="Lee", company_name="Lee Logistics", owner=rep,
                           estimated_value=Decimal("4000.00"))  # fmt: skip
        lead.tags.add(TagFactory(name="inbound"))

    response = post(api_client(alpha, REP_EMAIL), f"/api/v1/leads/{lead.pk}/convert/", {"deal_name": "Lee fleet"})

    assert response.status_code == 201
    body = response.json()
    assert body["lead"]["status"] == "converted"
    assert body["company"]["name"] == "Lee Logistics"
    assert body["contact"]["full_name"] == "Ann Lee"
    assert body["deal"]["name"] == "Lee fleet"
    assert body["lead"]["converted_deal"] == body["deal"]
    with alpha.active():
        deal = Deal.objects.get(pk=body["deal"]["id"])
        assert (deal.company_id, deal.contact_id, deal.amount, deal.owner_id) == (
            body["company"]["id"], body["contact"]["id"], Decimal("4000.00"), rep.pk,
        )  # fmt: skip
        assert list(deal.tags.values_list("name", flat=True)) == ["inbound"]
        assert Contact.objects.get(pk=body["contact"]["id"]).company_id == body["company"]["id"]
        assert TimelineEntry.objects.filter(lead=lead, kind="lead_converted").count() == 1


def test_a_failing_conversion_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(first_name="", last_name="", company_name="Nameless Corp", owner=alpha.user())
    client = api_client(alpha)  # signing in touches last_login: before the snapshot
    before = schema_snapshot(alpha.tenant)

    response = post(client, f"/api/v1/leads/{lead.pk}/convert/", {})

    assert response.status_code == 400
    assert field_names(response) == ["contact"]
    assert schema_snapshot(alpha.tenant) == before  # the company created on the way was rolled back
    with alpha.active():
        assert not Company.objects.filter(name="Nameless Corp").exists()


def test_converting_into_a_stage_of_another_pipeline_is_a_400_naming_stage_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(owner=alpha.user())
        default = Pipeline.objects.get(is_default=True)
        other = PipelineFactory()
        stage = other.stages.create(name="Other first", position=0)
        companies, contacts = Company.objects.count(), Contact.objects.count()

    response = post(api_client(alpha), f"/api/v1/leads/{lead.pk}/convert/", {"pipeline": default.pk, "stage": stage.pk})

    assert response.status_code == 400
    assert field_names(response) == ["stage"]
    with alpha.active():
        assert (Company.objects.count(), Contact.objects.count()) == (companies, contacts)
        lead.refresh_from_db()
        assert lead.status == "new"


def test_converting_twice_is_a_400_naming_status(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(owner=alpha.user())
    client = api_client(alpha)

    first = post(client, f"/api/v1/leads/{lead.pk}/convert/", {"create_deal": False})
    second = post(client, f"/api/v1/leads/{lead.pk}/convert/", {})

    assert first.status_code == 201
    assert first.json()["deal"] is None
    assert second.status_code == 400
    assert field_names(second) == ["status"]


def test_leads_list_filters_and_ordering(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        LeadFactory(first_name="Zoe", last_name="Quinn", owner=rep, status="qualified", source="event")
        LeadFactory(first_name="Adam", last_name="Smith", owner=alpha.user(), status="new")
    client = api_client(alpha)

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/leads/?{query}")
        assert response.status_code == 200, response.content
        return [row["full_name"] for row in response.json()["results"]]

    assert names(f"owner={rep.pk}") == ["Zoe Quinn"]
    assert names("status=new") == ["Adam Smith"]
    assert names("source=event") == ["Zoe Quinn"]
    assert names("search=quinn") == ["Zoe Quinn"]
    assert names("ordering=full_name") == ["Adam Smith", "Zoe Quinn"]
    assert names("ordering=-full_name") == ["Zoe Quinn", "Adam Smith"]


def test_a_rep_sees_only_their_own_leads_and_cannot_convert_others(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        own = LeadFactory(owner=rep)
        others = LeadFactory(owner=alpha.user())
    client = api_client(alpha, REP_EMAIL)

    listed = client.get("/api/v1/leads/").json()["results"]
    converted = post(client, f"/api/v1/leads/{others.pk}/convert/", {})
    deleted = client.delete(f"/api/v1/leads/{own.pk}/")

    assert [row["id"] for row in listed] == [own.pk]
    assert converted.status_code == 404
    assert deleted.status_code == 403
    with alpha.active():
        others.refresh_from_db()
        assert others.status == "new"
        assert Lead.objects.filter(pk=own.pk).exists()


def test_sales_endpoints_answer_403_not_in_plan_when_the_module_is_off(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(owner=alpha.user())
    alpha.tenant.enabled_modules = []
    alpha.tenant.save(update_fields=["enabled_modules"])  # rolled back with the test
    client = api_client(alpha)

    responses = [
        client.get("/api/v1/leads/"),
        client.get(f"/api/v1/leads/{lead.pk}/"),
        post(client, f"/api/v1/leads/{lead.pk}/convert/", {}),
        client.get("/api/v1/deals/"),
        client.get("/api/v1/pipelines/"),
        client.get("/api/v1/lost-reasons/"),
        client.get("/api/v1/products/"),
        client.get("/api/v1/quotes/"),
    ]

    assert [response.status_code for response in responses] == [403] * 8
    assert {response.json()["type"] for response in responses} == {PROBLEM_BASE + "module-not-in-plan"}
    assert {response.json()["module"] for response in responses} == {"sales"}
    assert client.get("/api/v1/companies/").status_code == 200  # contacts are always on
    with alpha.active():
        lead.refresh_from_db()
        assert lead.status == "new"


def test_beta_cannot_reach_alphas_leads(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        lead = LeadFactory(owner=alpha.user())
    with beta.active():
        assert not Lead.objects.filter(pk=lead.pk).exists()
    base = f"/api/v1/leads/{lead.pk}/"

    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", base, {}),
            ("patch", base, {"first_name": "Stolen"}),
            ("delete", base, {}),
            ("post", f"{base}convert/", {}),
            ("get", f"{base}timeline/", {}),
        ],
    )


def test_leads_list_query_count_is_the_same_for_5_and_50_rows(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        tag = TagFactory()
        for lead in LeadFactory.create_batch(5, owner=admin):
            lead.tags.add(tag)
    client = api_client(alpha)

    five, _response = queries_for(client, "/api/v1/leads/?page_size=5")
    with alpha.active():
        for lead in LeadFactory.create_batch(45, owner=admin):
            lead.tags.add(tag)
    fifty, response = queries_for(client, "/api/v1/leads/?page_size=50")

    assert len(response.json()["results"]) == 50
    assert five == fifty
