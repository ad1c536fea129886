"""The home page's cards: what each shows, for me or my team, and what it costs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from modules.activities.choices import ActivityStatus
from modules.activities.models import Notification
from modules.contacts.models import ExchangeRate
from modules.home.models import RecentRecord
from modules.sales.choices import DealStatus
from modules.sales.models import Stage
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def card_data(response, key: str):
    """The data a card was rendered with, or None when the page left it out."""
    return next((shown.data for shown in response.context["cards"] if shown.card.key == key), None)


def test_the_home_page_shows_each_card_the_user_may_see(alpha: TenantFixture):
    admin_home = alpha.client().get("/")
    rep_home = alpha.client(REP_EMAIL).get("/")

    assert admin_home.status_code == rep_home.status_code == 200
    admin_cards = [shown.card.key for shown in admin_home.context["cards"]]
    rep_cards = [shown.card.key for shown in rep_home.context["cards"]]
    assert {"agenda", "deals-by-stage", "rotting-deals", "notifications", "recent"} <= set(rep_cards)
    assert "onboarding" in admin_cards
    assert "onboarding" not in rep_cards
    assert 'data-testid="home-card-agenda"' in rep_home.content.decode()
    assert "Sales rep" in rep_home.content.decode()  # the user's role, under the greeting


def test_cards_of_a_module_outside_the_plan_are_left_out(alpha: TenantFixture):
    alpha.tenant.enabled_modules = []
    alpha.tenant.save(update_fields=["enabled_modules"])

    response = alpha.client().get("/")

    keys = [shown.card.key for shown in response.context["cards"]]
    assert "agenda" in keys
    assert "deals-by-stage" not in keys
    assert "rotting-deals" not in keys


def test_today_and_overdue_activities_are_listed_overdue_first_not_later_ones(alpha: TenantFixture):
    admin, now = alpha.user(), timezone.now()
    with alpha.active():
        ActivityFactory(subject="Late call", assignee=admin, due_at=now - timedelta(days=3))
        ActivityFactory(subject="Due a minute ago", assignee=admin, due_at=now - timedelta(minutes=1))
        ActivityFactory(subject="Next week", assignee=admin, due_at=now + timedelta(days=7))
        ActivityFactory(subject="Finished", assignee=admin, due_at=now - timedelta(days=1), status="done")
        ActivityFactory(subject="Rita's", assignee=alpha.user(REP_EMAIL), due_at=now - timedelta(days=1))

    data = card_data(alpha.client().get("/"), "agenda")

    assert [a.subject for a in data["activities"]] == ["Late call", "Due a minute ago"]
    assert (data["total"], data["overdue"]) == (2, 2)


def test_a_manager_switches_to_the_team_a_rep_cannot(alpha: TenantFixture):
    admin, rep, now = alpha.user(), alpha.user(REP_EMAIL), timezone.now()
    with alpha.active():
        ActivityFactory(subject="Mine", assignee=admin, due_at=now - timedelta(hours=1))
        ActivityFactory(subject="Rita's", assignee=rep, due_at=now - timedelta(hours=2))
        DealFactory(name="Rita's deal", owner=rep)

    mine = alpha.client().get("/")
    team = alpha.client().get("/", {"scope": "team"})
    rep_asks_for_team = alpha.client(REP_EMAIL).get("/", {"scope": "team"})

    assert [a.subject for a in card_data(mine, "agenda")["activities"]] == ["Mine"]
    assert [a.subject for a in card_data(team, "agenda")["activities"]] == ["Rita's", "Mine"]
    assert card_data(mine, "deals-by-stage")["count"] == 0
    assert card_data(team, "deals-by-stage")["count"] == 1
    assert 'data-testid="home-scope"' in team.content.decode()
    assert team.context["scope"].team_label == "My team"  # the admin is in Field sales with Rita
    assert not rep_asks_for_team.context["scope"].is_team  # own visibility: no team view to ask for
    assert 'data-testid="home-scope"' not in rep_asks_for_team.content.decode()


def test_an_administrator_without_a_team_switches_to_everyone(alpha: TenantFixture):
    admin, rep, now = alpha.user(), alpha.user(REP_EMAIL), timezone.now()
    with alpha.active():
        admin.teams.clear()
        ActivityFactory(subject="Rita's", assignee=rep, due_at=now - timedelta(hours=2))

    response = alpha.client().get("/", {"scope": "team"})

    assert response.context["scope"].team_label == "Everyone"
    assert [a.subject for a in card_data(response, "agenda")["activities"]] == ["Rita's"]


def test_open_deals_by_stage_are_totalled_in_the_base_currency(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        stages = list(Stage.objects.filter(kind="open").order_by("position"))
        ExchangeRate.objects.create(currency="RON", rate=Decimal("0.2"), valid_from=date(2000, 1, 1))
        DealFactory(owner=admin, stage=stages[0], amount=Decimal("1000.00"), currency="EUR")
        DealFactory(owner=admin, stage=stages[0], amount=Decimal("500.00"), currency="RON")
        DealFactory(owner=admin, stage=stages[1], amount=Decimal("70.00"), currency="USD")  # no rate
        DealFactory(owner=admin, stage=stages[1], amount=Decimal("9.00"), status=DealStatus.WON)

    data = card_data(alpha.client().get("/"), "deals-by-stage")

    rows = {row.stage.name: row for row in data["stages"]}
    assert data["base_currency"] == "EUR"
    assert (rows[stages[0].name].count, rows[stages[0].name].total) == (2, Decimal("1100.00"))
    assert (rows[stages[1].name].count, rows[stages[1].name].unconverted) == (1, {"USD": Decimal("70.00")})
    assert data["total"] == Decimal("1100.00")


def test_numbers_and_dates_on_the_home_page_follow_the_language(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        DealFactory(owner=admin, amount=Decimal("1234567.50"))

    english = alpha.client().get("/").content.decode()
    with alpha.active():
        admin.locale = "fr"
        admin.save(update_fields=["locale"])
    french = alpha.client().get("/").content.decode()

    assert "1,234,567.50 EUR" in english
    assert "1\xa0234\xa0567,50 EUR" in french


def test_deals_idle_longer_than_their_stage_allows_are_rotting(alpha: TenantFixture):
    admin, now = alpha.user(), timezone.now()
    with alpha.active():
        stage = Stage.objects.filter(kind="open").order_by("position").first()
        stage.rotting_days = 10
        stage.save()
        DealFactory(name="Stale", owner=admin, stage=stage, stage_entered_at=now - timedelta(days=30))
        DealFactory(
            name="Touched lately",
            owner=admin,
            stage=stage,
            stage_entered_at=now - timedelta(days=30),
            last_activity_at=now - timedelta(days=2),
        )
        DealFactory(name="Fresh", owner=admin, stage=stage, stage_entered_at=now - timedelta(days=3))
        DealFactory(name="Closed", owner=admin, stage=stage, status="lost", stage_entered_at=now - timedelta(days=90))

    data = card_data(alpha.client().get("/"), "rotting-deals")

    assert [deal.name for deal in data["deals"]] == ["Stale"]
    assert data["deals"][0].idle_days == 30
    assert data["deals"][0].is_rotting()  # the model's own rule agrees


def test_recent_records_are_the_ones_i_opened_that_i_may_still_open(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        mine = CompanyFactory(name="Opened by Rita", owner=rep)
        later = ContactFactory(first_name="Opened", last_name="Later", owner=rep)
        taken_away = CompanyFactory(name="Reassigned", owner=rep)
    client = alpha.client(REP_EMAIL)
    for path in (f"/companies/{taken_away.pk}/", f"/companies/{mine.pk}/", f"/contacts/{later.pk}/"):
        assert client.get(path).status_code == 200
    with alpha.active():
        taken_away.owner = admin
        taken_away.save()

    items = card_data(client.get("/"), "recent")["items"]

    assert [item.title for item in items] == ["Opened Later", "Opened by Rita"]
    assert items[1].url == f"/companies/{mine.pk}/"
    assert card_data(alpha.client().get("/"), "recent")["items"] == []  # the admin opened nothing


def test_a_user_keeps_a_bounded_number_of_recent_visits(alpha: TenantFixture):
    with alpha.active():
        companies = CompanyFactory.create_batch(35)
    client = alpha.client()
    for company in companies:
        client.get(f"/companies/{company.pk}/")
    client.get(f"/companies/{companies[0].pk}/")  # again: moved to the top, not a second row

    with alpha.active():
        rows = list(RecentRecord.objects.filter(user=alpha.user()).values_list("object_id", flat=True))
    assert len(rows) <= 31
    assert rows[0] == companies[0].pk


def test_unread_notifications_are_listed_read_ones_are_not(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        # Notifications other files committed for alpha's admin are not this test's (rolled back).
        Notification.objects.filter(recipient=admin).delete()
        Notification.objects.create(recipient=admin, kind="reminder", title="Call Ana", dedupe_key="t-1")
        Notification.objects.create(
            recipient=admin, kind="reminder", title="Old news", dedupe_key="t-2", read_at=timezone.now()
        )
        Notification.objects.create(recipient=alpha.user(REP_EMAIL), kind="reminder", title="Rita's", dedupe_key="t-3")

    data = card_data(alpha.client().get("/"), "notifications")

    assert [n.title for n in data["notifications"]] == ["Call Ana"]
    assert data["total"] == 1


def _fill(alpha: TenantFixture, count: int, batch: str) -> None:
    admin, rep, now = alpha.user(), alpha.user(REP_EMAIL), timezone.now()
    with alpha.active():
        stages = list(Stage.objects.filter(kind="open").order_by("position"))
        for stage in stages:
            stage.rotting_days = 5
            stage.save()
        company = CompanyFactory(owner=admin)
        RecentRecord.objects.create(user=admin, kind="company", object_id=company.pk, viewed_at=now)
        for index in range(count):
            owner = admin if index % 2 else rep
            deal = DealFactory(
                owner=owner,
                company=company,
                stage=stages[index % len(stages)],
                stage_entered_at=now - timedelta(days=20),
                currency=("EUR", "RON", "USD")[index % 3],
            )
            ActivityFactory(assignee=owner, deal=deal, company=company, due_at=now - timedelta(hours=index + 1))
            Notification.objects.create(
                recipient=admin, kind="reminder", title=f"N{index}", dedupe_key=f"{batch}-{index}"
            )
            RecentRecord.objects.create(user=admin, kind="deal", object_id=deal.pk, viewed_at=now)


@pytest.mark.parametrize("scope", ["me", "team"])
def test_the_home_page_costs_the_same_queries_for_5_and_50_rows(
    alpha: TenantFixture, django_assert_max_num_queries, scope: str
):
    client = alpha.client()
    client.get("/")  # session and caches warm
    _fill(alpha, 5, "small")
    with django_assert_max_num_queries(40) as small:
        assert client.get("/", {"scope": scope}).status_code == 200
    _fill(alpha, 45, "large")
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert client.get("/", {"scope": scope}).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("email", [REP_EMAIL, "admin@example.test"])
def test_the_home_page_is_its_own_tenant_s(alpha: TenantFixture, beta: TenantFixture, email: str):
    with alpha.active():
        ActivityFactory(subject="Alpha only", assignee=alpha.user(email), due_at=timezone.now())

    response = beta.client(email).get("/")

    assert response.status_code == 200
    assert "Alpha only" not in response.content.decode()
    assert card_data(response, "agenda")["total"] == 0


def test_completed_and_cancelled_activities_do_not_count_as_due(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        ActivityFactory(assignee=admin, due_at=timezone.now(), status=ActivityStatus.CANCELLED)

    assert card_data(alpha.client().get("/"), "agenda")["total"] == 0
