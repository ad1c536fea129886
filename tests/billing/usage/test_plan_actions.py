"""The admin's own changes on Settings → Plan and usage, through the subscription's provider (here
the manual one): change plan, cancel at the end of the period, payment methods; bad input is a 400
naming the field and changes nothing."""

from __future__ import annotations

from billing.models import Plan, PlanPrice, Subscription, SubscriptionChange
from identity.models import AuditEntry
from tests.billing.usage.conftest import subscribe
from tests.tenancy import ADMIN_EMAIL, TenantFixture

PAGE = "/settings/billing/"


def test_changing_the_plan_moves_the_subscription_and_its_modules(alpha: TenantFixture, beta: TenantFixture) -> None:
    subscription = subscribe(alpha, plan="starter")
    beta_subscription = subscribe(beta, plan="starter")

    response = alpha.client().post(f"{PAGE}plan/", {"plan": "growth", "interval": "year"})

    assert response.status_code == 302
    assert response["Location"] == PAGE
    subscription.refresh_from_db()
    assert (subscription.plan.key, subscription.interval) == ("growth", "year")
    alpha.tenant.refresh_from_db()
    assert set(alpha.tenant.enabled_modules) == {"sales", "marketing", "service"}
    change = SubscriptionChange.objects.filter(subscription=subscription).latest("id")
    assert (change.plan.key, change.actor) == ("growth", ADMIN_EMAIL)
    with alpha.active():
        assert AuditEntry.objects.filter(action="billing.plan_changed", actor=ADMIN_EMAIL).count() == 1
    beta_subscription.refresh_from_db()
    assert (beta_subscription.plan.key, beta_subscription.interval) == ("starter", "month")


def test_the_form_lists_public_plans_with_prices_in_the_subscriptions_currency(alpha: TenantFixture) -> None:
    subscribe(alpha, currency="PLN")
    Plan.objects.create(key="hidden", name="Hidden deal", is_public=False)

    response = alpha.client().get(f"{PAGE}plan/")

    assert response.status_code == 200
    choices = dict(response.context["form"].fields["plan"].choices)
    assert choices == {
        "starter": "Starter — 82.00 PLN per seat a month / 820.00 PLN per seat a year",
        "growth": "Growth — 210.00 PLN per seat a month / 2,100.00 PLN per seat a year",
        "enterprise": "Enterprise — 425.00 PLN per seat a month / 4,250.00 PLN per seat a year",
    }


def _refused(fixture: TenantFixture, data: dict[str, str]) -> list[str]:
    response = fixture.client().post(f"{PAGE}plan/", data)
    assert response.status_code == 400
    fields = list(response.context["form"].errors)
    for field in fields:
        assert f'data-testid="{field}-errors"' in response.content.decode()
    return fields


def test_a_bad_plan_choice_is_a_400_naming_the_field_and_changes_nothing(alpha: TenantFixture) -> None:
    subscription = subscribe(alpha, plan="starter")
    Plan.objects.create(key="hidden", name="Hidden deal", is_public=False)
    solo = Plan.objects.create(key="solo", name="Solo")
    PlanPrice.objects.create(plan=solo, currency="EUR", interval="month", seat_amount=900)
    changes_before = SubscriptionChange.objects.filter(subscription=subscription).count()

    assert _refused(alpha, {"plan": "platinum", "interval": "month"}) == ["plan"]
    assert _refused(alpha, {"plan": "hidden", "interval": "month"}) == ["plan"]
    assert _refused(alpha, {"plan": "starter", "interval": "month"}) == ["plan"]  # the plan it has
    assert _refused(alpha, {"plan": "solo", "interval": "year"}) == ["interval"]  # no yearly price
    assert _refused(alpha, {"plan": "growth", "interval": "weekly"}) == ["interval"]

    subscription.refresh_from_db()
    assert (subscription.plan.key, subscription.interval) == ("starter", "month")
    assert SubscriptionChange.objects.filter(subscription=subscription).count() == changes_before


def test_cancelling_needs_the_confirmation_then_ends_at_the_period_end(alpha: TenantFixture) -> None:
    subscription = subscribe(alpha)
    client = alpha.client()

    unconfirmed = client.post(f"{PAGE}cancel/", {})
    assert unconfirmed.status_code == 400
    assert list(unconfirmed.context["form"].errors) == ["confirm"]
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end is False

    confirmed = client.post(f"{PAGE}cancel/", {"confirm": "on"})

    assert confirmed.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.cancel_at_period_end, subscription.status) == (True, "active")
    overview = client.get(PAGE).content.decode()
    assert "cancelled at the end of the period" in overview
    assert 'data-testid="cancel-subscription"' not in overview


def test_bank_transfer_has_no_payment_page(alpha: TenantFixture) -> None:
    subscribe(alpha)

    response = alpha.client().get(f"{PAGE}payment-methods/", follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert "paid by bank transfer" in response.content.decode()


def test_without_a_subscription_there_is_nothing_to_change(alpha: TenantFixture) -> None:
    client = alpha.client()

    assert client.get(f"{PAGE}plan/").status_code == 404
    assert client.post(f"{PAGE}plan/", {"plan": "growth", "interval": "month"}).status_code == 404
    assert client.post(f"{PAGE}cancel/", {"confirm": "on"}).status_code == 404
    assert not Subscription.objects.filter(tenant=alpha.tenant).exists()
