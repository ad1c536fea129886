"""The closed deals' rollup answers exactly what the deals answer: the period KPIs and the monthly
chart computed from the rollup equal the same widgets computed from the deals, for every reader,
period and owner filter of the hand-built team (``conftest``), after a build and after changes
applied from the outbox; a change to what it was built under sends the widgets back to the deals;
an existing tenant's state row of the closed deals moves into the rollups' states (migration 0004)
and the rollup keeps answering without a rebuild."""

from __future__ import annotations

import zoneinfo
from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from customization.events.dispatcher import dispatch_pending
from identity.models import User
from modules.analytics.dashboards import closed_deals_rollup
from modules.analytics.dashboards.models import ClosedDealFact, ClosedDealsDaily, RollupState
from modules.analytics.dashboards.widgets import DashboardFilters
from modules.analytics.refresh.models import RefreshDue
from modules.contacts.models import ExchangeRate
from modules.sales.models import Deal, LostReason
from modules.sales.services.deals import delete_deal, mark_lost, mark_won, update_deal
from tests.analytics.dashboards.conftest import FEBRUARY, World, compute
from tests.tenancy import TenantFixture

KINDS = ("sales-won-revenue", "sales-win-rate", "sales-cycle-length", "sales-won-by-month")


def _filters(world: World) -> list[DashboardFilters]:
    team = frozenset({world.ana.pk, world.mara.pk})
    return [
        FEBRUARY,
        DashboardFilters(),  # all time
        DashboardFilters(start=FEBRUARY.start, end=FEBRUARY.end, owner_ids=frozenset({world.ana.pk})),
        DashboardFilters(start=FEBRUARY.start, end=FEBRUARY.end, owner_ids=team),
        DashboardFilters(start=FEBRUARY.start, end=FEBRUARY.end, owner_ids=frozenset({world.cid.pk})),
        DashboardFilters(start=FEBRUARY.start, end=FEBRUARY.end, owner_ids=frozenset()),
    ]


def _figures(alpha: TenantFixture, world: World) -> dict[tuple[Any, ...], Any]:
    readers: list[User] = [world.admin, world.mara, world.ana]
    return {
        (kind, reader.email, index): compute(alpha, kind, reader, filters)
        for kind in KINDS
        for reader in readers
        for index, filters in enumerate(_filters(world))
    }


def _from_deals(alpha: TenantFixture, world: World) -> dict[tuple[Any, ...], Any]:
    with alpha.active():
        RollupState.objects.filter(key=closed_deals_rollup.KEY).delete()
    return _figures(alpha, world)


def _rebuilt_tables(alpha: TenantFixture) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    with alpha.active():
        facts = set(ClosedDealFact.objects.values_list("deal_id", "day", "owner_id", "status", "amount", "cycle_us"))
        daily = set(
            ClosedDealsDaily.objects.exclude(deals=0).values_list(
                "day", "owner_id", "status", "deals", "amount", "amounts", "cycle_us", "cycles"
            )
        )
    return facts, daily


def test_the_rollup_answers_every_reader_and_filter_as_the_deals_do(alpha: TenantFixture, world: World):
    expected = _from_deals(alpha, world)
    with alpha.active():
        assert closed_deals_rollup.rebuild() == 8
        assert ClosedDealFact.objects.get(deal_id=world.deals["A2"].pk).day == date(2025, 2, 1)  # local day
        assert ClosedDealFact.objects.get(deal_id=world.deals["A4"].pk).amount is None  # no GBP rate
        with timezone.override(zoneinfo.ZoneInfo("Europe/Bucharest")):
            assert closed_deals_rollup.closed_totals(world.admin, None, FEBRUARY.start, FEBRUARY.end) is not None

    assert _figures(alpha, world) == expected
    # The figures the conftest states by hand, read from the rollup.
    assert compute(alpha, "sales-won-revenue", world.mara).value == Decimal("980.00")
    assert compute(alpha, "sales-win-rate", world.admin).value == Decimal("83.3")
    assert compute(alpha, "sales-cycle-length", world.ana).value == Decimal("23.3")

    # The widgets read the rollup: a change written around the services (no event) shows only
    # once the nightly rebuild has run.
    with alpha.active():
        Deal.objects.filter(pk=world.deals["M1"].pk).update(amount=Decimal("1300.00"))
    assert compute(alpha, "sales-won-revenue", world.mara).value == Decimal("980.00")
    with alpha.active():
        closed_deals_rollup.rebuild()
    assert compute(alpha, "sales-won-revenue", world.mara).value == Decimal("1980.00")


def test_changes_reach_the_rollup_through_the_outbox(alpha: TenantFixture, world: World):
    with alpha.active():
        closed_deals_rollup.rebuild()
        dispatch_pending()
        # Won, lost and reopened deals, an amount, an owner and a close date changed, a deal deleted.
        mark_won(world.deals["O1"], by=world.admin)
        reason, _created = LostReason.objects.get_or_create(name="Price")
        mark_lost(world.deals["O3"], by=world.admin, lost_reason=reason)
        update_deal(Deal.objects.get(pk=world.deals["A3"].pk), by=world.admin, amount=Decimal("260.00"))
        update_deal(Deal.objects.get(pk=world.deals["M1"].pk), by=world.admin, owner=world.cid)
        delete_deal(Deal.objects.get(pk=world.deals["C1"].pk), by=world.admin)
        dispatch_pending()
    incremental = _rebuilt_tables(alpha)
    with alpha.active():
        state = RollupState.objects.get(key=closed_deals_rollup.KEY)
        assert state.synced_at >= state.built_at
    after_changes = _figures(alpha, world)

    with alpha.active():
        closed_deals_rollup.rebuild()
    assert _rebuilt_tables(alpha) == incremental
    assert _from_deals(alpha, world) == after_changes
    assert after_changes[("sales-won-revenue", world.admin.email, 0)].value == Decimal("1034.00")  # 500+234+300


def test_a_new_rate_or_another_zone_reads_the_deals(alpha: TenantFixture, world: World):
    with alpha.active():
        closed_deals_rollup.rebuild()
        ExchangeRate.objects.create(currency="GBP", rate=Decimal("1.10"), valid_from=date(2025, 1, 1))
        assert closed_deals_rollup.closed_totals(world.admin, None, None, None) is None
        assert RefreshDue.objects.filter(tenant=alpha.tenant, analysis=closed_deals_rollup.KEY).exists()
    # A4's 100 GBP now counts, at 110.00: read from the deals until the rollup is rebuilt.
    assert compute(alpha, "sales-won-revenue", world.mara).value == Decimal("1090.00")
    with alpha.active():
        closed_deals_rollup.rebuild()
        with timezone.override(zoneinfo.ZoneInfo("Europe/Bucharest")):
            assert closed_deals_rollup.closed_totals(world.admin, None, None, None) is not None
    assert compute(alpha, "sales-won-revenue", world.mara).value == Decimal("1090.00")

    # A reader in another zone counts other local days, which the rollup (Bucharest days) cannot
    # say: A2 closed on January 31 in New York.
    with alpha.active():
        User.objects.filter(pk=world.ana.pk).update(time_zone="America/New_York")
        world.ana.refresh_from_db()
        with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
            assert closed_deals_rollup.closed_totals(world.ana, None, None, None) is None
    assert compute(alpha, "sales-won-revenue", world.ana).value == Decimal("290.00")  # A3 180 + A4 110


def test_an_existing_tenants_closed_deal_state_moves_into_the_rollup_states(alpha: TenantFixture, world: World):
    migration = import_module("modules.analytics.dashboards.migrations.0004_more_rollups_one_state")
    before = MigrationLoader(None, ignore_no_migrations=True).project_state(
        ("analytics_dashboards", "0003_open_deal_activity_case_rollups")
    )
    with alpha.active():
        closed_deals_rollup.rebuild()
        built = RollupState.objects.get(key=closed_deals_rollup.KEY)
        RollupState.objects.filter(key=closed_deals_rollup.KEY).delete()
        old_state = before.apps.get_model("analytics_dashboards", "DealRollupState")
        with connection.schema_editor() as editor:
            # The state as 0003 left it in this tenant's schema, then the migration's data step.
            editor.create_model(old_state)
            old_state.objects.create(id=1, zone=built.zone, currency=built.currency, rates=built.rates,
                                     built_at=built.built_at, synced_at=built.synced_at)  # fmt: skip
            migration.fold_deal_rollup_state(before.apps, editor)
            editor.delete_model(old_state)
        moved = RollupState.objects.get(key=closed_deals_rollup.KEY)
        assert (moved.zone, moved.currency, moved.rates_day) == ("Europe/Bucharest", "EUR", None)
        assert moved.rates == built.rates
        assert (moved.built_at, moved.synced_at) == (built.built_at, built.synced_at)
        with timezone.override(zoneinfo.ZoneInfo("Europe/Bucharest")):
            assert closed_deals_rollup.closed_totals(world.admin, None, None, None) is not None
        assert not RefreshDue.objects.filter(tenant=alpha.tenant, analysis=closed_deals_rollup.KEY).exists()
