"""The kanban board: columns, exact totals, visibility, fixed queries and the move endpoint."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from modules.contacts.models import ExchangeRate
from modules.sales.models import Deal, DealStageChange, LostReason, Stage
from modules.sales.selectors.board import board_columns
from tests.factories import CompanyFactory, DealFactory, PipelineFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot


def _column_figures(page: str) -> list[tuple[str, str, str, str]]:
    """(stage, count, total, weighted) per column, in board order."""
    return re.findall(
        r'<h2 class="h6 mb-0" id="stage-\d+">([^<]+)</h2>\s*'
        r'<span class="badge[^"]*" data-testid="column-count"[^>]*>(\d+)</span>.*?'
        r'data-testid="column-total">([^<]+)</span>.*?data-testid="column-weighted">([^<]+)</span>',
        page,
        re.S,
    )


def test_the_board_has_a_column_per_stage_with_exact_totals(alpha: TenantFixture, stages):
    with alpha.active():
        ExchangeRate.objects.create(currency="USD", rate=Decimal("0.9"), valid_from=date(2020, 1, 1))
        DealFactory(name="A", amount=Decimal("1000.00"), stage=stages["Qualification"])  # 10 % → 100.00
        DealFactory(name="B", amount=Decimal("333.33"), stage=stages["Qualification"], probability=33)  # 110.00
        DealFactory(name="C", amount=Decimal("200.00"), currency="USD", stage=stages["Needs analysis"])  # 180 EUR
        DealFactory(name="D", amount=Decimal("10.00"), stage=stages["Won"], status="won")

    response = alpha.client().get("/pipeline/")

    page = response.content.decode()
    assert response.status_code == 200
    assert _column_figures(page) == [
        ("Qualification", "2", "1,333.33 EUR", "210.00 EUR"),
        ("Needs analysis", "1", "180.00 EUR", "45.00 EUR"),
        ("Proposal", "0", "0.00 EUR", "0.00 EUR"),
        ("Negotiation", "0", "0.00 EUR", "0.00 EUR"),
        ("Won", "1", "10.00 EUR", "10.00 EUR"),
        ("Lost", "0", "0.00 EUR", "0.00 EUR"),
    ]
    assert page.count('data-testid="deal-card"') == 4


def test_a_rep_sees_only_own_deals_and_totals_on_the_board(alpha: TenantFixture, stages):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        DealFactory(name="Rep card", amount=Decimal("100"), owner=rep, stage=stages["Qualification"])
        DealFactory(name="Admin card", amount=Decimal("900"), owner=alpha.user(), stage=stages["Qualification"])

    page = alpha.client(REP_EMAIL).get("/pipeline/").content.decode()

    assert "Rep card" in page
    assert "Admin card" not in page
    assert _column_figures(page)[0] == ("Qualification", "1", "100.00 EUR", "10.00 EUR")


def test_the_board_caps_cards_per_column_but_counts_all(alpha: TenantFixture, stages):
    with alpha.active():
        for _ in range(7):
            DealFactory(amount=Decimal("1"), stage=stages["Qualification"])
        columns = board_columns(stages["Qualification"].pipeline, alpha.user(), per_column=5)

    assert (len(columns[0].cards), columns[0].count, columns[0].more, columns[0].total) == (5, 7, 2, Decimal("7.00"))


def test_the_board_costs_the_same_queries_for_5_and_50_deals(
    alpha: TenantFixture, stages, django_assert_max_num_queries
):
    client = alpha.client()
    client.get("/pipeline/")
    for count in (5, 45):
        with alpha.active():
            company = CompanyFactory()
            for index in range(count):
                stage = [stages["Qualification"], stages["Needs analysis"], stages["Negotiation"]][index % 3]
                DealFactory(stage=stage, company=company, owner=alpha.user())
        with django_assert_max_num_queries(13):  # the owner filter lists the users: one query
            response = client.get("/pipeline/")
        assert response.status_code == 200


def test_the_board_switches_pipelines(alpha: TenantFixture):
    with alpha.active():
        other = PipelineFactory(name="Renewals")
        Stage.objects.create(pipeline=other, name="Due", position=0, probability=60)

    page = alpha.client().get(f"/pipeline/{other.pk}/").content.decode()

    assert [figures[0] for figures in _column_figures(page)] == ["Due"]


def test_moving_a_card_to_the_next_stage(alpha: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(stage=stages["Qualification"])

    response = alpha.client().post(f"/deals/{deal.pk}/move/", {"stage": stages["Needs analysis"].pk})

    assert response.status_code == 200
    assert response.json() == {"deal": deal.pk, "stage": stages["Needs analysis"].pk, "status": "open"}
    with alpha.active():
        deal.refresh_from_db()
        assert DealStageChange.objects.filter(deal=deal, to_stage=stages["Needs analysis"]).count() == 1
    assert deal.stage_id == stages["Needs analysis"].pk


def test_a_move_missing_required_fields_names_them_and_changes_nothing(alpha: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(stage=stages["Needs analysis"], amount=Decimal("0"))
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/deals/{deal.pk}/move/", {"stage": stages["Negotiation"].pk})

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["amount", "expected_close_date"]
    assert schema_snapshot(alpha.tenant) == before


def test_a_move_filling_the_required_fields_succeeds(alpha: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(stage=stages["Needs analysis"], amount=Decimal("0"))

    response = alpha.client().post(
        f"/deals/{deal.pk}/move/",
        {"stage": stages["Negotiation"].pk, "amount": "4500", "expected_close_date": "2027-01-31"},
    )

    assert response.status_code == 200
    with alpha.active():
        deal.refresh_from_db()
    assert (deal.stage_id, deal.amount, deal.expected_close_date) == (
        stages["Negotiation"].pk, Decimal("4500.00"), date(2027, 1, 31),
    )  # fmt: skip


def test_moving_into_lost_asks_for_the_reason(alpha: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(stage=stages["Qualification"])
        reason = LostReason.objects.get(name="Timing")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    refused = client.post(f"/deals/{deal.pk}/move/", {"stage": stages["Lost"].pk})
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["lost_reason"]
    assert schema_snapshot(alpha.tenant) == before

    accepted = client.post(
        f"/deals/{deal.pk}/move/", {"stage": stages["Lost"].pk, "lost_reason": reason.pk, "lost_note": "Next year"}
    )
    assert accepted.status_code == 200
    with alpha.active():
        deal = Deal.objects.get(pk=deal.pk)
    assert (deal.status, deal.lost_reason_id, deal.lost_note) == ("lost", reason.pk, "Next year")


def test_a_move_with_an_unknown_stage_names_the_field(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory()

    response = alpha.client().post(f"/deals/{deal.pk}/move/", {"stage": "999999"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["stage"]


def test_a_rep_cannot_move_someone_elses_deal(alpha: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/deals/{deal.pk}/move/", {"stage": stages["Needs analysis"].pk})

    assert response.status_code == 404
    assert schema_snapshot(alpha.tenant) == before


def test_the_move_dialog_takes_the_close_date_in_the_readers_format(alpha: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(stage=stages["Needs analysis"], amount=Decimal("0"))
    client = alpha.client()
    client.cookies["django_language"] = "ro"

    board = client.get("/pipeline/").content.decode()
    response = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": stages["Negotiation"].pk, "amount": "4500", "expected_close_date": "31.01.2027"},
    )

    close = re.search(r'<input[^>]*id="move-close"[^>]*>', board)
    assert close is not None
    assert 'type="text"' in close.group(0)
    assert 'placeholder="dd.mm.yyyy"' in close.group(0)
    assert response.status_code == 200
    with alpha.active():
        deal.refresh_from_db()
    assert deal.expected_close_date == date(2027, 1, 31)
