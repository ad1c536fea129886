"""The console's plan editor: list, create, edit (price grid in major units), validation that names
the field and writes nothing, modules reaching subscribed tenants at once, and deletion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from billing.choices import Currency, Interval, Provider
from billing.entitlements import LIMIT_KEYS
from billing.models import Plan, PlanPrice
from billing.services.plans import PriceCell, save_plan
from billing.services.subscriptions import start_subscription
from identity.models import AuditEntry
from modules.registry import is_enabled
from tenants.models import Tenant
from tests.console.conftest import OPERATOR_EMAIL
from tests.tenancy import TenantFixture


def public_url(name: str, args: Sequence[object] | None = None) -> str:
    """A console URL (the console lives in the public host's URLconf)."""
    return reverse(name, urlconf="crm_platform.urls_public", args=args)


def editor_data(plan: Plan | None = None, **changes: Any) -> dict[str, Any]:
    """What the editor posts: the plan's current values (or a new plan's), with ``changes``
    (None leaves a field out, as an unticked checkbox)."""
    data: dict[str, Any] = {
        "key": "team",
        "name": "Team",
        "description": "For teams.",
        "modules": ["sales"],
        "trial_days": "14",
        "is_public": "on",
        "is_active": "on",
        "sort_order": "5",
        **dict.fromkeys(LIMIT_KEYS, ""),
    }
    prices = {(p.currency, p.interval): p for p in plan.prices.all()} if plan else {}
    if plan is not None:
        data.update(
            key=plan.key,
            name=plan.name,
            description=plan.description,
            modules=list(plan.modules),
            trial_days=str(plan.trial_days),
            sort_order=str(plan.sort_order),
            **{key: "" if getattr(plan, key) is None else str(getattr(plan, key)) for key in LIMIT_KEYS},
        )
    for currency in Currency.values:
        for interval in Interval.values:
            price = prices.get((currency, interval))
            data[f"prices[{currency}][{interval}]"] = "" if price is None else f"{price.seat_amount / 100:.2f}"
            data[f"stripe_price_ids[{currency}][{interval}]"] = "" if price is None else price.stripe_price_id
    if plan is None:
        data["prices[EUR][month]"] = "19.00"
    for field, value in changes.items():
        field = field.replace("__", "][").replace("prices_", "prices[").replace("stripe_", "stripe_price_ids[")
        field = field + "]" if "[" in field else field
        if value is None:
            data.pop(field, None)
        else:
            data[field] = value
    return data


def plans_state() -> list[Any]:
    return [
        list(Plan.objects.order_by("pk").values()),
        list(PlanPrice.objects.order_by("pk").values()),
        list(Tenant.objects.order_by("pk").values_list("slug", "enabled_modules")),
        AuditEntry.objects.count(),
    ]


def test_plan_list_shows_each_plan_with_prices_and_subscriptions_in_bounded_queries(
    operator_client: Client, alpha: TenantFixture, django_assert_max_num_queries
):
    start_subscription(
        alpha.tenant, Plan.objects.get(key="growth"), provider=Provider.MANUAL, currency="EUR", actor="test"
    )
    with django_assert_max_num_queries(8) as few:
        response = operator_client.get(public_url("console:plans"))
    assert response.status_code == 200
    counts = {row["plan"].key: row["plan"].subscriber_count for row in response.context["rows"]}
    assert counts == {"starter": 0, "growth": 1, "enterprise": 0}
    assert "19.00 EUR" in response.content.decode()
    for number in range(5):
        save_plan(
            None, {"key": f"extra-{number}", "name": f"Extra {number}"}, {"EUR": {"month": PriceCell(100)}}, actor="t"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(operator_client.get(public_url("console:plans")).context["rows"]) == 8


def test_creating_a_plan_stores_prices_in_minor_units_and_is_audited(operator_client: Client):
    data = editor_data(
        seat_limit="10",
        is_public=None,
        prices_EUR__year="190.50",
        stripe_EUR__year="price_1TeamEURyear",
        prices_RON__month="95,00",
    )

    response = operator_client.post(public_url("console:plan-new"), data)

    plan = Plan.objects.get(key="team")
    assert response.status_code == 302
    assert response["Location"] == public_url("console:plan", args=[plan.pk])
    assert (plan.name, plan.modules, plan.seat_limit, plan.record_limit, plan.is_public, plan.is_active) == (
        "Team",
        ["sales"],
        10,
        None,
        False,
        True,
    )
    assert sorted(plan.prices.values_list("currency", "interval", "seat_amount", "stripe_price_id")) == [
        ("EUR", "month", 1900, ""),
        ("EUR", "year", 19050, "price_1TeamEURyear"),
        ("RON", "month", 9500, ""),
    ]
    entry = AuditEntry.objects.get(action="billing.plan_created")
    assert (entry.actor, entry.target) == (OPERATOR_EMAIL, "plan:team")


def test_the_editor_shows_the_grid_in_major_units_and_saves_changes(operator_client: Client):
    starter = Plan.objects.get(key="starter")
    page = operator_client.get(public_url("console:plan", args=[starter.pk]))
    assert page.status_code == 200
    assert 'name="prices[EUR][month]" value="19.00"' in page.content.decode()
    assert 'name="prices[RSD][year]" value="22300.00"' in page.content.decode()

    response = operator_client.post(
        public_url("console:plan", args=[starter.pk]),
        editor_data(starter, seat_limit="", trial_days="21", prices_USD__year="", prices_EUR__month="24.00"),
    )

    assert response.status_code == 302
    starter.refresh_from_db()
    assert (starter.seat_limit, starter.trial_days) == (None, 21)
    assert starter.prices.get(currency="EUR", interval="month").seat_amount == 2400
    assert not starter.prices.filter(currency="USD", interval="year").exists()
    entry = AuditEntry.objects.get(action="billing.plan_updated")
    assert entry.details["changed"]["seat_limit"] == [5, None]
    assert entry.details["prices"]["prices[EUR][month]"] == [[1900, ""], [2400, ""]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"seat_limit": "0"}, "seat_limit"),
        ({"record_limit": "-1"}, "record_limit"),
        ({"api_requests_per_day": "lots"}, "api_requests_per_day"),
        ({"trial_days": "400"}, "trial_days"),
        ({"sort_order": ""}, "sort_order"),
        ({"modules": ["sales", "contacts"]}, "modules"),
        ({"prices_EUR__month": "19.999"}, "prices[EUR][month]"),
        ({"prices_PLN__year": "abc"}, "prices[PLN][year]"),
        ({"stripe_EUR__month": "prod_123"}, "prices[EUR][month]"),
        ({"prices_RON__month": "", "stripe_RON__month": "price_1Orphan"}, "prices[RON][month]"),
        ({"stripe_EUR__month": "price_dup", "stripe_EUR__year": "price_dup"}, "prices[EUR][year]"),
        # The subscription below pays the EUR monthly price.
        ({"prices_EUR__month": ""}, "prices[EUR][month]"),
    ],
)
def test_each_bad_field_is_refused_with_400_naming_it_and_nothing_is_written(
    changes: dict[str, Any], field: str, operator_client: Client, alpha: TenantFixture
):
    starter = Plan.objects.get(key="starter")
    start_subscription(alpha.tenant, starter, provider=Provider.MANUAL, currency="EUR", actor="test")
    # Everything else changes too, so a half-written save would show.
    other_changes = {"name": "Renamed", "modules": [], "seat_limit": "99", "prices_USD__month": "1.00"}
    data = editor_data(starter, **(other_changes | changes))
    before = plans_state()

    response = operator_client.post(public_url("console:plan", args=[starter.pk]), data)

    assert response.status_code == 400
    assert field in response.context["errors"]
    assert f'data-error-for="{field}"' in response.content.decode()
    assert plans_state() == before


def test_a_new_plan_needs_a_unique_key_and_a_price(operator_client: Client):
    before = plans_state()

    taken = operator_client.post(public_url("console:plan-new"), editor_data(key="starter"))
    no_price = operator_client.post(public_url("console:plan-new"), editor_data(prices_EUR__month=""))
    bad_key = operator_client.post(public_url("console:plan-new"), editor_data(key="Team Plan!"))

    assert (taken.status_code, no_price.status_code, bad_key.status_code) == (400, 400, 400)
    assert "key" in taken.context["errors"]
    assert "prices" in no_price.context["errors"]
    assert "key" in bad_key.context["errors"]
    assert plans_state() == before


def test_changing_a_plans_modules_reaches_its_tenants_at_once(
    operator_client: Client, alpha: TenantFixture, beta: TenantFixture
):
    starter, growth = Plan.objects.get(key="starter"), Plan.objects.get(key="growth")
    start_subscription(alpha.tenant, starter, provider=Provider.MANUAL, currency="EUR", actor="test")
    start_subscription(beta.tenant, growth, provider=Provider.MANUAL, currency="EUR", actor="test")
    assert Tenant.objects.get(slug="alpha").enabled_modules == ["sales"]

    response = operator_client.post(
        public_url("console:plan", args=[starter.pk]), editor_data(starter, modules=["marketing"])
    )

    assert response.status_code == 302
    alpha_row = Tenant.objects.get(slug="alpha")
    assert alpha_row.enabled_modules == ["marketing"]
    assert not is_enabled(alpha_row, "sales")
    assert Tenant.objects.get(slug="beta").enabled_modules == ["sales", "marketing", "service"]


def test_changing_a_plans_limits_reaches_its_tenants_at_once(operator_client: Client, alpha: TenantFixture):
    starter = Plan.objects.get(key="starter")
    start_subscription(alpha.tenant, starter, provider=Provider.MANUAL, currency="EUR", actor="test")
    assert Tenant.objects.get(slug="alpha").plan_limits["api_requests_per_day"] == 10_000

    response = operator_client.post(
        public_url("console:plan", args=[starter.pk]),
        editor_data(starter, api_requests_per_day="250", seat_limit=""),
    )

    assert response.status_code == 302
    limits = Tenant.objects.get(slug="alpha").plan_limits
    assert limits["api_requests_per_day"] == 250
    assert limits["seat_limit"] is None


def test_a_plan_with_subscriptions_cannot_be_deleted_one_without_can(operator_client: Client, alpha: TenantFixture):
    starter = Plan.objects.get(key="starter")
    start_subscription(alpha.tenant, starter, provider=Provider.MANUAL, currency="EUR", actor="test")
    unused = save_plan(None, {"key": "unused", "name": "Unused"}, {"EUR": {"month": PriceCell(500)}}, actor="t")

    refused = operator_client.post(public_url("console:plan-delete", args=[starter.pk]))
    deleted = operator_client.post(public_url("console:plan-delete", args=[unused.pk]))

    assert refused.status_code == 400
    assert "make it inactive" in refused.content.decode()
    assert Plan.objects.filter(pk=starter.pk).exists()
    assert deleted.status_code == 302
    assert not Plan.objects.filter(key="unused").exists()
    assert AuditEntry.objects.filter(action="billing.plan_deleted", target="plan:unused").count() == 1


def test_save_plan_rejects_a_bad_price_without_writing_the_good_fields(alpha: TenantFixture):
    starter = Plan.objects.get(key="starter")
    before = plans_state()

    with pytest.raises(ValidationError) as caught:
        save_plan(starter, {"name": "Changed", "modules": []}, {"EUR": {"month": PriceCell(-5)}}, actor="t")

    assert list(caught.value.message_dict) == ["prices[EUR][month]"]
    assert plans_state() == before
