"""Deal pages: list (filters, saved views, bulk actions), detail, create, edit, won and lost."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from modules.contacts.models import SavedView
from modules.sales.models import Deal, LostReason
from tests.factories import CompanyFactory, DealFactory, PipelineFactory
from tests.sales.pipeline.conftest import READER_EMAIL
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke, schema_snapshot


def _names(page: bytes) -> list[str]:
    return re.findall(r'href="/deals/\d+/">([^<]+)</a>', page.decode())


def test_the_deal_list_filters_by_stage_and_sorts_by_amount(alpha: TenantFixture, stages):
    with alpha.active():
        DealFactory(name="Small", amount=Decimal("100"), stage=stages["Qualification"])
        DealFactory(name="Large", amount=Decimal("900"), stage=stages["Qualification"])
        DealFactory(name="Elsewhere", amount=Decimal("500"), stage=stages["Needs analysis"])

    response = alpha.client().get("/deals/", {"stage": stages["Qualification"].pk, "sort": "-amount"})

    assert response.status_code == 200
    assert _names(response.content) == ["Large", "Small"]


def test_the_deal_list_costs_the_same_queries_for_5_and_50_deals(alpha: TenantFixture, django_assert_max_num_queries):
    client = alpha.client()
    client.get("/deals/")
    for count in (5, 45):
        with alpha.active():
            company = CompanyFactory()
            for _ in range(count):
                DealFactory(owner=alpha.user(), company=company)
        with django_assert_max_num_queries(13):
            response = client.get("/deals/")
        assert response.status_code == 200


def test_a_rep_sees_only_own_deals_in_the_list(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        DealFactory(name="Rep deal", owner=rep)
        DealFactory(name="Admin deal", owner=alpha.user())

    response = alpha.client(REP_EMAIL).get("/deals/")

    assert _names(response.content) == ["Rep deal"]


def test_the_deal_page_shows_money_probability_and_weighted_amount(alpha: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(name="Weighted", amount=Decimal("1234.50"), currency="USD", stage=stages["Proposal"],
                           company=CompanyFactory(), probability=None)  # fmt: skip

    page = alpha.client().get(f"/deals/{deal.pk}/").content.decode()

    amount = page.split('data-testid="deal-amount">', 1)[1].split("</dd>", 1)[0]
    assert " ".join(re.sub(r"<[^>]+>", " ", amount).split()) == "1,234.50 USD"
    assert "50 %" in page
    assert 'data-testid="deal-weighted">617.25 USD<' in page
    assert 'aria-current="step">Proposal<' in page
    assert f"/quotes/?deal={deal.pk}" in page or "?deal=" in page


def test_creating_a_deal_with_a_probability_override(alpha: TenantFixture, stages):
    response = alpha.client().post(
        "/deals/new/",
        {"name": "Override", "pipeline": stages["Qualification"].pipeline_id, "stage": stages["Qualification"].pk,
         "amount": "2000", "currency": "EUR", "probability": "35", "tags": "vip, q4"},
    )  # fmt: skip

    with alpha.active():
        deal = Deal.objects.get(name="Override")
        assert sorted(tag.name for tag in deal.tags.all()) == ["q4", "vip"]
        assert (deal.effective_probability, deal.weighted_amount) == (35, Decimal("700.00"))
    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"


@pytest.mark.parametrize(
    ("values", "field"),
    [({"probability": "150"}, "probability"), ({"amount": "-5"}, "amount"), ({"name": ""}, "name")],
)
def test_a_bad_deal_is_refused_naming_the_field(alpha: TenantFixture, values: dict[str, str], field: str):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/deals/new/", {"name": "Bad", "currency": "EUR", **values})

    assert response.status_code == 400
    assert f'id="id_{field}-errors"' in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_deal_in_a_stage_needing_a_company_is_refused_naming_it(alpha: TenantFixture, stages):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(
        "/deals/new/", {"name": "No company", "stage": stages["Proposal"].pk, "amount": "10", "currency": "EUR"}
    )

    assert response.status_code == 400
    assert 'id="id_company-errors"' in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_editing_a_deal(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(name="Before")

    response = alpha.client().post(
        f"/deals/{deal.pk}/edit/", {"name": "After", "amount": "77.70", "currency": "EUR", "probability": ""}
    )

    assert response.status_code == 302
    with alpha.active():
        deal.refresh_from_db()
    assert (deal.name, deal.amount) == ("After", Decimal("77.70"))


def test_winning_a_deal(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(amount=Decimal("10"))

    response = alpha.client().post(f"/deals/{deal.pk}/won/")

    assert response.status_code == 302
    with alpha.active():
        deal.refresh_from_db()
    assert (deal.status, deal.stage.name) == ("won", "Won")


def test_losing_a_deal_needs_a_reason(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory()
        reason = LostReason.objects.get(name="Price")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    refused = client.post(f"/deals/{deal.pk}/lost/", {"lost_reason": "", "lost_note": ""})
    assert refused.status_code == 400
    assert 'id="id_lost_reason-errors"' in refused.content.decode()
    assert schema_snapshot(alpha.tenant) == before

    accepted = client.post(f"/deals/{deal.pk}/lost/", {"lost_reason": reason.pk, "lost_note": "Too dear"})
    assert accepted.status_code == 302
    with alpha.active():
        deal.refresh_from_db()
    assert (deal.status, deal.lost_reason_id, deal.lost_note) == ("lost", reason.pk, "Too dear")


def test_bulk_assigning_an_owner(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        first, second, untouched = DealFactory(), DealFactory(), DealFactory()

    response = alpha.client().post(
        "/deals/bulk/", {"action": "assign_owner", "owner": rep.pk, "ids": [first.pk, second.pk]}
    )

    assert response.status_code == 302
    with alpha.active():
        owners = dict(Deal.objects.filter(pk__in=[first.pk, second.pk, untouched.pk]).values_list("pk", "owner_id"))
    assert owners == {first.pk: rep.pk, second.pk: rep.pk, untouched.pk: None}


def test_a_bulk_stage_move_that_fails_for_one_deal_changes_none(alpha: TenantFixture, stages):
    with alpha.active():
        ready = DealFactory(name="Ready", amount=Decimal("10"), company=CompanyFactory())
        lacking = DealFactory(name="Lacking company", amount=Decimal("10"))
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(
        "/deals/bulk/", {"action": "stage", "stage": stages["Proposal"].pk, "ids": [ready.pk, lacking.pk]},
        follow=True,
    )  # fmt: skip

    page = response.content.decode()
    assert "Nothing was changed" in page
    assert "Lacking company: Company is required in the stage Proposal." in page
    assert "Ready:" not in page
    # the list page's GET touched nothing either
    assert schema_snapshot(alpha.tenant) == before


def test_a_bulk_stage_move(alpha: TenantFixture, stages):
    with alpha.active():
        deals = [DealFactory(amount=Decimal("10"), company=CompanyFactory()) for _ in range(2)]

    alpha.client().post("/deals/bulk/", {"action": "stage", "stage": stages["Proposal"].pk,
                                         "ids": [deal.pk for deal in deals]})  # fmt: skip

    with alpha.active():
        assert set(Deal.objects.filter(pk__in=[d.pk for d in deals]).values_list("stage_id", flat=True)) == {
            stages["Proposal"].pk
        }


def test_bulk_delete_needs_the_delete_permission(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        deal = DealFactory(owner=rep)
    revoke(alpha, "sales_rep", "sales.delete")
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    response = client.post("/deals/bulk/", {"action": "delete", "ids": [deal.pk]})

    assert response.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_bulk_delete(alpha: TenantFixture):
    with alpha.active():
        doomed, kept = DealFactory(), DealFactory()

    alpha.client().post("/deals/bulk/", {"action": "delete", "ids": [doomed.pk]})

    with alpha.active():
        assert list(Deal.objects.filter(pk__in=[doomed.pk, kept.pk]).values_list("pk", flat=True)) == [kept.pk]


def test_bulk_actions_ignore_deals_the_user_cannot_see(alpha: TenantFixture):
    with alpha.active():
        admins = DealFactory(owner=alpha.user())
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    client.post("/deals/bulk/", {"action": "delete", "ids": [admins.pk]})

    assert schema_snapshot(alpha.tenant) == before


def test_saving_picking_and_deleting_a_view(alpha: TenantFixture, stages):
    client = alpha.client()
    with alpha.active():
        DealFactory(name="In qualification", stage=stages["Qualification"])
        DealFactory(name="In analysis", stage=stages["Needs analysis"])

    response = client.post(
        "/deals/views/", {"name": "Qualifying", "query": f"stage={stages['Qualification'].pk}&sort=-amount&page=3"}
    )

    with alpha.active():
        view = SavedView.objects.get(name="Qualifying")
    assert response.status_code == 302
    assert (view.entity, view.query) == ("deal", {"stage": str(stages["Qualification"].pk), "sort": "-amount"})
    listing = client.get(response["Location"])
    assert _names(listing.content) == ["In qualification"]
    assert "Qualifying" in listing.content.decode()

    client.post(f"/deals/views/{view.pk}/delete/")
    with alpha.active():
        assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_view_without_a_name_is_refused(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/deals/views/", {"name": "  ", "query": "sort=name"}, follow=True)

    assert "Name the view." in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_read_only_user_cannot_write_deals(alpha: TenantFixture, reader, stages):
    with alpha.active():
        deal = DealFactory()
    client = alpha.client(READER_EMAIL)

    assert client.get("/deals/").status_code == 200
    assert client.get(f"/deals/{deal.pk}/").status_code == 200  # noted among the reader's recent records
    before = schema_snapshot(alpha.tenant)
    for path, data in [
        ("/deals/new/", {"name": "X", "currency": "EUR"}),
        (f"/deals/{deal.pk}/edit/", {"name": "X", "currency": "EUR"}),
        (f"/deals/{deal.pk}/won/", {}),
        (f"/deals/{deal.pk}/lost/", {}),
        (f"/deals/{deal.pk}/delete/", {}),
        (f"/deals/{deal.pk}/move/", {"stage": stages["Needs analysis"].pk}),
        ("/deals/bulk/", {"action": "delete", "ids": [deal.pk]}),
    ]:
        assert client.post(path, data).status_code == 403, path
    assert schema_snapshot(alpha.tenant) == before


@pytest.mark.parametrize("path", ["/deals/", "/deals/new/", "/pipeline/"])
def test_deal_pages_answer_403_without_the_sales_module(alpha: TenantFixture, sales_disabled, path: str):
    assert alpha.client().get(path).status_code == 403


def test_deal_pages_refuse_another_tenants_ids(alpha: TenantFixture, beta: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(name="Alpha only")
        view = SavedView.objects.create(owner=alpha.user(), entity="deal", name="Alpha view", query={})
        pipeline = PipelineFactory(name="Alpha only pipeline")
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/deals/{deal.pk}/", {}),
            ("get", f"/deals/{deal.pk}/edit/", {}),
            ("post", f"/deals/{deal.pk}/edit/", {"name": "Hacked", "currency": "EUR"}),
            ("post", f"/deals/{deal.pk}/won/", {}),
            ("post", f"/deals/{deal.pk}/lost/", {}),
            ("post", f"/deals/{deal.pk}/delete/", {}),
            ("post", f"/deals/{deal.pk}/move/", {"stage": stages["Needs analysis"].pk}),
            ("post", f"/deals/views/{view.pk}/delete/", {}),
            ("get", f"/pipeline/{pipeline.pk}/", {}),
        ],
    )
