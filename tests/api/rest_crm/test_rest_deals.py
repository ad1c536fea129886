"""REST /api/v1/deals/: CRUD, moves between stages (required fields, lost reasons), money and
probabilities in the output, filters, ordering, visibility, permissions, tenant isolation, query counts."""

from decimal import Decimal

import pytest

from modules.contacts.models import TimelineEntry
from modules.sales.models import Deal, DealStageChange, LostReason, Pipeline, Stage
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import CompanyFactory, ContactFactory, DealFactory, TagFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def _stage(alpha: TenantFixture, name: str) -> Stage:
    with alpha.active():
        return Stage.objects.get(pipeline__is_default=True, name=name)


def test_creating_a_deal_opens_it_in_the_first_stage_with_money_and_probabilities(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(name="Hooli", owner=rep)

    response = post(
        api_client(alpha, REP_EMAIL),
        "/api/v1/deals/",
        {"name": "Hooli rollout", "amount": "12000.50", "currency": "EUR", "company": company.pk, "tags": ["q3"]},
    )

    assert response.status_code == 201
    body = response.json()
    first = _stage(alpha, "Qualification")
    assert body["stage"] == {"id": first.pk, "name": "Qualification", "probability": 10}
    assert body["pipeline"]["id"] == first.pipeline_id
    assert (body["amount"], body["currency"], body["status"]) == ("12000.50", "EUR", "open")
    assert (body["effective_probability"], body["weighted_amount"]) == (10, "1200.05")
    assert body["company"] == {"id": company.pk, "name": "Hooli"}
    assert body["owner"]["id"] == rep.pk
    assert body["tags"] == ["q3"]
    with alpha.active():
        assert DealStageChange.objects.filter(deal_id=body["id"]).count() == 1


def test_a_negative_amount_is_a_400_naming_amount_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        deals = Deal.objects.count()

    response = post(api_client(alpha), "/api/v1/deals/", {"name": "Bad", "amount": "-5"})

    assert response.status_code == 400
    assert field_names(response) == ["amount"]
    with alpha.active():
        assert Deal.objects.count() == deals


def test_creating_straight_into_a_stage_that_requires_fields_is_a_400_naming_them(alpha: TenantFixture):
    proposal = _stage(alpha, "Proposal")
    with alpha.active():
        deals = Deal.objects.count()

    response = post(api_client(alpha), "/api/v1/deals/", {"name": "Rushed", "stage": proposal.pk, "amount": "0"})

    assert response.status_code == 400
    assert sorted(field_names(response)) == ["amount", "company"]
    with alpha.active():
        assert Deal.objects.count() == deals


def test_update_and_delete_a_deal(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user(), amount=Decimal("100.00"))
    client = api_client(alpha)

    updated = patch(client, f"/api/v1/deals/{deal.pk}/", {"amount": "250.00", "probability": 40})
    stage_by_patch = patch(client, f"/api/v1/deals/{deal.pk}/", {"stage": _stage(alpha, "Proposal").pk})
    deleted = client.delete(f"/api/v1/deals/{deal.pk}/")

    assert updated.status_code == 200
    assert (updated.json()["amount"], updated.json()["effective_probability"]) == ("250.00", 40)
    assert updated.json()["weighted_amount"] == "100.00"
    assert stage_by_patch.status_code == 400
    assert field_names(stage_by_patch) == ["stage"]
    assert deleted.status_code == 204
    with alpha.active():
        assert not Deal.objects.filter(pk=deal.pk).exists()


def test_moving_a_deal_to_the_next_stage_records_the_change(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    needs_analysis = _stage(alpha, "Needs analysis")

    response = post(api_client(alpha), f"/api/v1/deals/{deal.pk}/move/", {"stage": needs_analysis.pk})

    assert response.status_code == 200
    assert response.json()["stage"] == {"id": needs_analysis.pk, "name": "Needs analysis", "probability": 25}
    with alpha.active():
        entry = TimelineEntry.objects.get(deal=deal, kind="stage_changed")
        assert entry.data["to_stage"] == "Needs analysis"


def test_a_move_missing_a_required_field_is_a_400_naming_it_and_the_deal_is_unchanged(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user(), amount=Decimal("500.00"), company=None)
        stage_before = deal.stage_id

    response = post(api_client(alpha), f"/api/v1/deals/{deal.pk}/move/", {"stage": _stage(alpha, "Proposal").pk})

    assert response.status_code == 400
    assert field_names(response) == ["company"]
    with alpha.active():
        deal.refresh_from_db()
        assert deal.stage_id == stage_before
        assert DealStageChange.objects.filter(deal=deal).count() == 0


def test_a_move_can_fill_the_required_fields_on_the_way(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user(), amount=Decimal("500.00"), company=None)
        company = CompanyFactory(owner=alpha.user())
    proposal = _stage(alpha, "Proposal")

    response = post(api_client(alpha), f"/api/v1/deals/{deal.pk}/move/", {"stage": proposal.pk, "company": company.pk})

    assert response.status_code == 200
    assert (response.json()["stage"]["id"], response.json()["company"]["id"]) == (proposal.pk, company.pk)


def test_losing_a_deal_needs_a_reason_and_records_it(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
        reason = LostReason.objects.get(name="Price")
    lost = _stage(alpha, "Lost")
    client = api_client(alpha)

    without_reason = post(client, f"/api/v1/deals/{deal.pk}/move/", {"stage": lost.pk})
    with_reason = post(
        client, f"/api/v1/deals/{deal.pk}/move/", {"stage": lost.pk, "lost_reason": reason.pk, "lost_note": "Too dear"}
    )

    assert without_reason.status_code == 400
    assert field_names(without_reason) == ["lost_reason"]
    assert with_reason.status_code == 200
    body = with_reason.json()
    assert (body["status"], body["lost_reason"], body["lost_note"]) == (
        "lost", {"id": reason.pk, "name": "Price"}, "Too dear",
    )  # fmt: skip
    assert (body["effective_probability"], body["weighted_amount"]) == (0, "0.00")


def test_a_move_without_a_stage_is_a_400_naming_stage(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())

    response = post(api_client(alpha), f"/api/v1/deals/{deal.pk}/move/", {})

    assert response.status_code == 400
    assert field_names(response) == ["stage"]


def test_deals_list_filters(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    proposal = _stage(alpha, "Proposal")
    with alpha.active():
        company = CompanyFactory()
        contact = ContactFactory()
        big = DealFactory(name="Big one", owner=rep, company=company, contact=contact, stage=proposal)
        big.tags.add(TagFactory(name="strategic"))
        DealFactory(name="Small one", owner=alpha.user(), status="won")
    client = api_client(alpha)

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/deals/?{query}")
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names(f"owner={rep.pk}") == ["Big one"]
    assert names(f"stage={proposal.pk}") == ["Big one"]
    assert names("status=won") == ["Small one"]
    assert names(f"company={company.pk}") == ["Big one"]
    assert names(f"contact={contact.pk}") == ["Big one"]
    assert names("tag=Strategic") == ["Big one"]
    assert names("search=small") == ["Small one"]


def test_deals_order_by_amount(alpha: TenantFixture):
    with alpha.active():
        for amount in ["300.00", "100.00", "200.00"]:
            DealFactory(name=f"Deal {amount}", amount=Decimal(amount), owner=alpha.user())

    ascending = api_client(alpha).get("/api/v1/deals/?ordering=amount").json()["results"]
    descending = api_client(alpha).get("/api/v1/deals/?ordering=-amount").json()["results"]

    assert [row["amount"] for row in ascending] == ["100.00", "200.00", "300.00"]
    assert [row["amount"] for row in descending] == ["300.00", "200.00", "100.00"]


def test_a_rep_sees_only_their_own_deals_and_cannot_move_others(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        own = DealFactory(owner=rep)
        others = DealFactory(owner=alpha.user())
    client = api_client(alpha, REP_EMAIL)

    listed = client.get("/api/v1/deals/").json()["results"]
    moved = post(client, f"/api/v1/deals/{others.pk}/move/", {"stage": _stage(alpha, "Needs analysis").pk})
    deleted = client.delete(f"/api/v1/deals/{own.pk}/")

    assert [row["id"] for row in listed] == [own.pk]
    assert moved.status_code == 404
    assert deleted.status_code == 403
    with alpha.active():
        others.refresh_from_db()
        assert others.stage.name == "Qualification"


def test_deal_timeline_shows_the_move(alpha: TenantFixture):
    client = api_client(alpha)
    deal_id = post(client, "/api/v1/deals/", {"name": "Timeline deal"}).json()["id"]
    post(client, f"/api/v1/deals/{deal_id}/move/", {"stage": _stage(alpha, "Needs analysis").pk})

    body = client.get(f"/api/v1/deals/{deal_id}/timeline/").json()

    assert [entry["kind"] for entry in body["results"]] == ["stage_changed", "created"]
    assert body["results"][0]["data"]["to_stage"] == "Needs analysis"
    assert body["results"][0]["activity"] is None


def test_pipelines_with_nested_stages_and_lost_reasons(alpha: TenantFixture):
    with alpha.active():
        pipeline = Pipeline.objects.get(is_default=True)
        LostReason.objects.filter(name="Timing").update(is_active=False)
    client = api_client(alpha, REP_EMAIL)

    pipelines = client.get("/api/v1/pipelines/").json()["results"]
    reasons = client.get("/api/v1/lost-reasons/?is_active=true").json()["results"]
    created = post(client, "/api/v1/pipelines/", {"name": "New"})

    assert [row["id"] for row in pipelines] == [pipeline.pk]
    assert [stage["name"] for stage in pipelines[0]["stages"]] == [
        "Qualification", "Needs analysis", "Proposal", "Negotiation", "Won", "Lost",
    ]  # fmt: skip
    assert pipelines[0]["stages"][2]["required_fields"] == ["amount", "company"]
    assert [reason["name"] for reason in reasons] == ["Price", "Chose a competitor", "No budget", "No decision"]
    assert created.status_code == 405


def test_beta_cannot_reach_alphas_deals_or_pipelines(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
        pipeline = Pipeline.objects.create(name="Alpha only", position=5)
        reason = LostReason.objects.create(name="Alpha only reason")
        stage_id = Stage.objects.filter(pipeline__is_default=True).values_list("pk", flat=True).first()
    with beta.active():
        assert not Deal.objects.filter(pk=deal.pk).exists()
        assert not Pipeline.objects.filter(pk=pipeline.pk).exists()
        assert not LostReason.objects.filter(pk=reason.pk).exists()
    base = f"/api/v1/deals/{deal.pk}/"

    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", base, {}),
            ("patch", base, {"name": "Stolen"}),
            ("delete", base, {}),
            ("post", f"{base}move/", {"stage": stage_id}),
            ("get", f"{base}timeline/", {}),
            ("get", f"/api/v1/pipelines/{pipeline.pk}/", {}),
            ("get", f"/api/v1/lost-reasons/{reason.pk}/", {}),
        ],
    )


@pytest.mark.parametrize("path", ["/api/v1/deals/", "/api/v1/pipelines/"])
def test_list_query_count_is_the_same_for_5_and_50_rows(alpha: TenantFixture, path: str):
    admin = alpha.user()
    with alpha.active():
        tag = TagFactory()
        company, contact = CompanyFactory(), ContactFactory()

        def make(count: int) -> None:
            for number in range(count):
                deal = DealFactory(owner=admin, company=company, contact=contact)
                deal.tags.add(tag)
                pipeline = Pipeline.objects.create(name=f"P {Pipeline.objects.count()} {number}")
                pipeline.stages.create(name="Open", position=0)

        make(5)
    client = api_client(alpha)

    five, _response = queries_for(client, f"{path}?page_size=5")
    with alpha.active():
        make(45)
    fifty, response = queries_for(client, f"{path}?page_size=50")

    assert len(response.json()["results"]) == 50
    assert five == fifty
