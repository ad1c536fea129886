"""The board's cards: an owner filter, next-activity and overdue markers in one query, the order a
user dragged them in, and Undo after a drop on Won or Lost."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.activities.services.activities import create_activity
from modules.sales.models import Deal, DealStageChange, LostReason, Stage
from modules.sales.services.deals import UNDO_WINDOW, mark_lost, move_deal_to_stage
from modules.sales.services.stage_moves import move_deals
from tests.factories import CompanyFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

CARD = re.compile(r'data-deal="(\d+)"')


def _cards_of(page: str, stage: Stage) -> list[int]:
    column = page.split(f'data-stage="{stage.pk}" data-kind=', 1)[1].split("</section>", 1)[0]
    return [int(pk) for pk in CARD.findall(column)]


def test_my_deals_shows_only_mine_and_totals_follow(alpha: TenantFixture, stages):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        DealFactory(name="Mine", owner=alpha.user(), stage=stages["Qualification"])
        DealFactory(name="The rep's", owner=rep, stage=stages["Qualification"])
    client = alpha.client()

    mine = client.get("/pipeline/?owner=me").content.decode()
    reps = client.get(f"/pipeline/?owner={rep.pk}").content.decode()
    everyone = client.get("/pipeline/").content.decode()

    assert "Mine" in mine
    assert "The rep&#x27;s" not in mine
    assert "The rep&#x27;s" in reps
    assert ">Mine<" not in reps
    assert everyone.count('data-testid="deal-card"') == 2
    assert client.get("/pipeline/?owner=999999").status_code == 400
    assert client.get("/pipeline/?owner=abc").status_code == 400


def test_cards_mark_the_next_activity_and_overdue_ones(alpha: TenantFixture, stages):
    admin = alpha.user()
    with alpha.active():
        late = DealFactory(owner=admin, stage=stages["Qualification"])
        planned = DealFactory(owner=admin, stage=stages["Qualification"])
        idle = DealFactory(owner=admin, stage=stages["Qualification"])
        won = DealFactory(owner=admin, stage=stages["Won"], status="won")
        create_activity(by=admin, kind="task", subject="Invoice", deal=won, due_at=timezone.now() - timedelta(days=1))
        create_activity(by=admin, kind="call", subject="Late", deal=late, due_at=timezone.now() - timedelta(days=2))
        create_activity(by=admin, kind="call", subject="Soon", deal=planned, due_at=timezone.now() + timedelta(days=3))
        create_activity(by=admin, kind="call", subject="Later", deal=planned, due_at=timezone.now() + timedelta(days=9))

    page = alpha.client().get("/pipeline/").content.decode()

    def card(deal: Deal) -> str:
        return page.split(f'data-deal="{deal.pk}"', 1)[1].split("</article>", 1)[0]

    assert 'data-testid="overdue-badge"' in card(late)
    assert 'data-testid="next-activity"' in card(planned)
    assert "overdue-badge" not in card(planned)
    assert 'data-testid="no-activity"' in card(idle)
    assert "overdue-badge" not in card(won)  # a closed deal has nothing to chase
    assert "no-activity" not in card(won)


def test_the_board_costs_the_same_queries_with_markers_for_5_and_40_deals(alpha: TenantFixture, stages):
    admin = alpha.user()
    client = alpha.client()
    client.get("/pipeline/?owner=me")
    counts = []
    for count in (5, 35):
        with alpha.active():
            for index in range(count):
                deal = DealFactory(owner=admin, stage=[stages["Qualification"], stages["Proposal"]][index % 2])
                create_activity(by=admin, kind="task", subject="Next", deal=deal, due_at=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/pipeline/?owner=me").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_dragged_order_of_a_stage_is_kept(alpha: TenantFixture, stages):
    with alpha.active():
        first, second, third = (DealFactory(owner=alpha.user(), stage=stages["Proposal"]) for _ in range(3))
    client = alpha.client()

    response = client.post(
        f"/pipeline/stages/{stages['Proposal'].pk}/order/", {"deal": [third.pk, first.pk, second.pk]}
    )

    assert response.status_code == 200
    assert _cards_of(client.get("/pipeline/").content.decode(), stages["Proposal"]) == [third.pk, first.pk, second.pk]


def test_a_deal_new_to_a_stage_comes_first_and_the_rest_keep_their_order(alpha: TenantFixture, stages):
    admin = alpha.user()
    with alpha.active():
        first, second = (DealFactory(owner=admin, stage=stages["Proposal"]) for _ in range(2))
        arriving = DealFactory(owner=admin, stage=stages["Qualification"], company=CompanyFactory(owner=admin))
    client = alpha.client()
    client.post(f"/pipeline/stages/{stages['Proposal'].pk}/order/", {"deal": [second.pk, first.pk]})
    with alpha.active():
        move_deal_to_stage(arriving, stages["Proposal"], by=admin)

    assert _cards_of(client.get("/pipeline/").content.decode(), stages["Proposal"]) == [
        arriving.pk,
        second.pk,
        first.pk,
    ]


def test_ordering_refuses_bad_input_by_name_and_changes_nothing(alpha: TenantFixture, stages):
    with alpha.active():
        inside = DealFactory(owner=alpha.user(), stage=stages["Proposal"])
        elsewhere = DealFactory(owner=alpha.user(), stage=stages["Qualification"])
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)
    url = f"/pipeline/stages/{stages['Proposal'].pk}/order/"

    not_ids = client.post(url, {"deal": ["x1"]})
    wrong_stage = client.post(url, {"deal": [inside.pk, elsewhere.pk]})

    assert (not_ids.status_code, list(not_ids.json()["errors"])) == (400, ["deal"])
    assert (wrong_stage.status_code, list(wrong_stage.json()["errors"])) == (400, ["deal"])
    assert schema_snapshot(alpha.tenant) == before


def test_ordering_needs_the_permission_and_visibility(alpha: TenantFixture, stages, reader):
    with alpha.active():
        admins = DealFactory(owner=alpha.user(), stage=stages["Proposal"])
    rep, reading = alpha.client(REP_EMAIL), alpha.client(reader.email)
    before = schema_snapshot(alpha.tenant)
    url = f"/pipeline/stages/{stages['Proposal'].pk}/order/"

    assert rep.post(url, {"deal": [admins.pk]}).status_code == 404
    assert reading.post(url, {"deal": [admins.pk]}).status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_undo_takes_a_won_deal_back_to_the_stage_it_left(alpha: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(
            owner=alpha.user(),
            stage=stages["Negotiation"],
            company=CompanyFactory(),
            expected_close_date=timezone.localdate(),
        )
    client = alpha.client()
    client.post(f"/deals/{deal.pk}/won/")

    page = client.get(f"/deals/{deal.pk}/").content.decode()
    response = client.post(f"/deals/{deal.pk}/undo-move/")

    assert 'data-testid="deal-undo-form"' in page
    assert "back to Negotiation" in page
    assert response.status_code == 302
    with alpha.active():
        deal.refresh_from_db()
        history = list(
            DealStageChange.objects.filter(deal=deal)
            .order_by("changed_at", "id")
            .values_list("to_stage__name", flat=True)
        )
    assert (deal.stage_id, deal.status, deal.closed_at) == (stages["Negotiation"].pk, "open", None)
    assert history[-2:] == ["Won", "Negotiation"]  # the way back is on the history too


def test_undo_from_the_board_answers_json(alpha: TenantFixture, stages):
    with alpha.active():
        deal = DealFactory(owner=alpha.user(), stage=stages["Proposal"], company=CompanyFactory())
    client = alpha.client()
    client.post(f"/deals/{deal.pk}/move/", {"stage": stages["Won"].pk})

    response = client.post(f"/deals/{deal.pk}/undo-move/", HTTP_ACCEPT="application/json")

    assert response.json() == {"deal": deal.pk, "stage": stages["Proposal"].pk, "status": "open"}


def test_undo_into_lost_restores_the_reason_and_note_instead_of_asking(alpha: TenantFixture, stages):
    admin = alpha.user()
    with alpha.active():
        reason = LostReason.objects.filter(is_active=True).order_by("position", "pk").last()
        deal = DealFactory(owner=admin, stage=stages["Negotiation"], company=CompanyFactory())
        mark_lost(deal, by=admin, lost_reason=reason, lost_note="Chose the cheaper offer")
        move_deal_to_stage(deal, stages["Proposal"], by=admin)  # reopened by mistake
    client = alpha.client()

    response = client.post(f"/deals/{deal.pk}/undo-move/", HTTP_ACCEPT="application/json")

    assert response.json() == {"deal": deal.pk, "stage": stages["Lost"].pk, "status": "lost"}
    with alpha.active():
        deal.refresh_from_db()
        back = DealStageChange.objects.filter(deal=deal).order_by("-changed_at", "-id").first()
    assert (deal.lost_reason_id, deal.lost_note) == (reason.pk, "Chose the cheaper offer")
    assert (back.lost_reason_id, back.lost_note) == (reason.pk, "Chose the cheaper offer")


def test_undo_of_a_bulk_move_out_of_lost_restores_the_reason(alpha: TenantFixture, stages):
    admin = alpha.user()
    with alpha.active():
        reason = LostReason.objects.filter(is_active=True).order_by("position", "pk").first()
        deal = DealFactory(owner=admin, stage=stages["Negotiation"])
        mark_lost(deal, by=admin, lost_reason=reason, lost_note="No budget")
        move_deals(Deal.objects.filter(pk=deal.pk), stages["Qualification"], by=admin)

    response = alpha.client().post(f"/deals/{deal.pk}/undo-move/", HTTP_ACCEPT="application/json")

    assert response.json()["status"] == "lost"
    with alpha.active():
        deal.refresh_from_db()
    assert (deal.lost_reason_id, deal.lost_note) == (reason.pk, "No budget")


def test_undo_is_refused_after_the_window_or_for_someone_elses_move(alpha: TenantFixture, stages):
    with alpha.active():
        late = DealFactory(owner=alpha.user(), stage=stages["Negotiation"])
        theirs = DealFactory(owner=alpha.user(), stage=stages["Negotiation"])
        move_deal_to_stage(late, stages["Won"], by=alpha.user())
        DealStageChange.objects.filter(deal=late).update(changed_at=timezone.now() - UNDO_WINDOW - timedelta(minutes=1))
        move_deal_to_stage(theirs, stages["Won"], by=None)
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    too_late = client.post(f"/deals/{late.pk}/undo-move/", HTTP_ACCEPT="application/json")
    not_mine = client.post(f"/deals/{theirs.pk}/undo-move/", HTTP_ACCEPT="application/json")

    assert (too_late.status_code, list(too_late.json()["errors"])) == (400, ["stage"])
    assert (not_mine.status_code, list(not_mine.json()["errors"])) == (400, ["stage"])
    assert "deal-undo-form" not in client.get(f"/deals/{late.pk}/").content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_won_asks_for_confirmation_on_the_record_page(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())

    page = alpha.client().get(f"/deals/{deal.pk}/").content.decode()

    form = re.search(r'<form[^>]*data-testid="deal-won-form"[^>]*>', page).group(0)
    assert f'data-confirm="Mark {deal.name} as won?"' in form


def test_undo_needs_the_permission_and_visibility(alpha: TenantFixture, stages, reader):
    with alpha.active():
        deal = DealFactory(owner=alpha.user(), stage=stages["Negotiation"])
        move_deal_to_stage(deal, stages["Won"], by=alpha.user())
    rep, reading = alpha.client(REP_EMAIL), alpha.client(reader.email)
    before = schema_snapshot(alpha.tenant)

    assert rep.post(f"/deals/{deal.pk}/undo-move/").status_code == 404
    assert reading.post(f"/deals/{deal.pk}/undo-move/").status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_order_and_undo_refuse_another_tenants_ids(alpha: TenantFixture, beta: TenantFixture, stages):
    with alpha.active():
        stage = Stage.objects.create(pipeline=stages["Proposal"].pipeline, name="Alpha only", position=9, probability=5)
        deal = DealFactory(owner=alpha.user(), stage=stage)
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("post", f"/deals/{deal.pk}/undo-move/", {}),
            ("post", f"/pipeline/stages/{stage.pk}/order/", {"deal": [deal.pk]}),
        ],
    )
