"""Signing up on the public site: the form, what it writes, and what it refuses."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import Plan, PlanPrice, Subscription
from identity.models import AuditEntry
from tenants.models import Tenant
from tests.signup.conftest import progress_path, signup_data


def test_the_form_starts_with_the_plan_currency_and_interval_chosen_on_the_pricing_page(public_client: Client):
    response = public_client.get("/signup/?plan=enterprise&currency=RON&interval=year")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="enterprise" selected>Enterprise</option>' in html
    assert '<option value="RON" selected>RON</option>' in html
    assert '<option value="year" selected>Yearly</option>' in html
    assert 'hx-get="/signup/subdomain/"' in html
    assert "Your password must contain at least 10 characters." in html


def test_a_signup_records_the_tenant_starts_the_trial_and_queues_provisioning(
    public_client: Client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = public_client.post(
            "/signup/", signup_data("acme", plan="growth", currency="RON", interval="year", locale="ro")
        )

    progress_path(response)
    tenant = Tenant.objects.get(slug="acme")
    assert (tenant.name, tenant.schema_name, tenant.status, tenant.locale, tenant.currency) == (
        "Company acme",
        "acme",
        "trial",
        "ro",
        "RON",
    )
    assert tenant.provisioning_state == "requested"
    assert tenant.pending_admin_email == "boss@acme.test"
    assert tenant.enabled_modules == ["sales", "marketing", "service"]
    subscription = Subscription.objects.get(tenant=tenant)
    assert (subscription.plan.key, subscription.status, subscription.provider) == ("growth", "trialing", "manual")
    assert (subscription.currency, subscription.interval, subscription.seats) == ("RON", "year", 1)
    assert subscription.trial_ends_at is not None
    assert abs(subscription.trial_ends_at - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)
    assert len(queued) == 1  # provisioning, after the commit
    entry = AuditEntry.objects.get(action="tenant.signed_up", target="tenant:acme")
    assert entry.actor == "boss@acme.test"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "   ", "This field is required."),
        ("slug", "www", "“www” is reserved."),
        ("slug", "Bad Slug", "Use 3–40 lower-case letters"),
        ("slug", "alpha", "“alpha” is already taken."),
        ("admin_email", "not-an-email", "Enter a valid email address."),
        ("password", "short", "This password is too short."),
        ("password", "12345678901234", "This password is entirely numeric."),
        ("password", "password1234", "This password is too common."),
        ("password", "boss@bad-field.test", "The password is too similar to the e-mail."),
        ("plan", "no-such-plan", "Select a valid choice."),
        ("currency", "XYZ", "Select a valid choice."),
        ("interval", "week", "Select a valid choice."),
        ("locale", "xx", "Select a valid choice."),
    ],
)
def test_a_bad_field_is_refused_by_name_and_nothing_is_written(
    public_client: Client, alpha, django_capture_on_commit_callbacks, field: str, value: str, message: str
):
    tenants, subscriptions = Tenant.objects.count(), Subscription.objects.count()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = public_client.post("/signup/", {**signup_data("bad-field"), field: value})

    assert response.status_code == 400
    html = response.content.decode()
    errors = html[html.index(f'data-testid="error-{field}"') :]
    assert message in errors[: errors.index("</div>")]
    assert html.count("invalid-feedback") == 1  # only the bad field
    assert (Tenant.objects.count(), Subscription.objects.count()) == (tenants, subscriptions)
    assert queued == []


def test_plans_not_open_to_signups_are_refused(public_client: Client):
    Plan.objects.create(key="private", name="Private", is_public=False)
    Plan.objects.filter(key="starter").update(is_active=False)

    for key in ("private", "starter"):
        response = public_client.post("/signup/", signup_data("closed-plan", plan=key))

        assert response.status_code == 400
        assert 'data-testid="error-plan"' in response.content.decode()
    assert not Tenant.objects.filter(slug="closed-plan").exists()


def test_a_currency_the_plan_has_no_price_in_rolls_the_whole_signup_back(public_client: Client):
    PlanPrice.objects.filter(plan__key="starter", currency="PLN", interval="year").delete()
    tenants, subscriptions = Tenant.objects.count(), Subscription.objects.count()

    response = public_client.post("/signup/", signup_data("no-price", plan="starter", currency="PLN", interval="year"))

    assert response.status_code == 400
    assert "The Starter plan has no yearly price in PLN." in response.content.decode()
    assert 'data-testid="error-currency"' in response.content.decode()
    # The tenant row was written before the price was looked up: it went with the transaction.
    assert (Tenant.objects.count(), Subscription.objects.count()) == (tenants, subscriptions)
    assert not AuditEntry.objects.filter(target="tenant:no-price").exists()


def test_signups_from_one_address_are_throttled(public_client: Client):
    for number in range(5):
        progress_path(public_client.post("/signup/", signup_data(f"burst-{number}"), REMOTE_ADDR="203.0.113.9"))
    tenants = Tenant.objects.count()

    refused = public_client.post("/signup/", signup_data("burst-5"), REMOTE_ADDR="203.0.113.9")

    assert refused.status_code == 429
    assert "Too many workspaces were created from your network" in refused.content.decode()
    assert "Please try again in 60 minutes." in refused.content.decode()
    assert Tenant.objects.count() == tenants
    # Another address is not held back.
    progress_path(public_client.post("/signup/", signup_data("burst-6"), REMOTE_ADDR="198.51.100.7"))


def test_behind_a_trusted_proxy_signups_are_counted_per_client(public_client: Client, settings):
    # given a trusted load balancer and one client behind it that used up its signups
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for number in range(5):
        progress_path(
            public_client.post(
                "/signup/", signup_data(f"lb-{number}"), REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1"
            )
        )
    tenants = Tenant.objects.count()
    # when that client and another behind the same balancer sign up
    refused = public_client.post(
        "/signup/", signup_data("lb-5"), REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert refused.status_code == 429
    assert Tenant.objects.count() == tenants
    # then only the first is held back
    progress_path(
        public_client.post("/signup/", signup_data("lb-6"), REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.2")
    )
    assert Tenant.objects.count() == tenants + 1


def test_an_untrusted_peer_cannot_dodge_the_signup_throttle(public_client: Client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for number in range(5):
        forged = {"REMOTE_ADDR": "203.0.113.11", "HTTP_X_FORWARDED_FOR": f"198.51.100.{number}"}
        progress_path(public_client.post("/signup/", signup_data(f"forged-{number}"), **forged))
    tenants = Tenant.objects.count()

    refused = public_client.post(
        "/signup/", signup_data("forged-5"), REMOTE_ADDR="203.0.113.11", HTTP_X_FORWARDED_FOR="198.51.100.99"
    )

    assert refused.status_code == 429
    assert Tenant.objects.count() == tenants


def test_refused_forms_do_not_count_against_the_address(public_client: Client):
    for _attempt in range(6):
        assert public_client.post("/signup/", signup_data("www"), REMOTE_ADDR="203.0.113.10").status_code == 400

    progress_path(public_client.post("/signup/", signup_data("after-typos"), REMOTE_ADDR="203.0.113.10"))


def test_the_public_site_is_not_served_on_a_tenant_host(alpha):
    for path in ("/signup/", "/signup/subdomain/?slug=acme"):
        assert Client(HTTP_HOST=alpha.host).get(path).status_code == 404
