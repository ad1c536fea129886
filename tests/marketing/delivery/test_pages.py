"""The send page: who may see and act on it, another workspace, the plan gate, bad input, the
workspace's time zone, and a query count that does not grow with the recipients."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.marketing.choices import EmailStatus
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.services.sends import start_send
from modules.marketing.models import MarketingEmail
from tests.entitlements.helpers import without_modules
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant, revoke

BASE = "/marketing/delivery/emails"


def _draft(fixture: TenantFixture, size: int = 3) -> MarketingEmail:
    with fixture.active():
        segment, _contacts = audience(size)
        return marketing_email(segment)


def test_send_now_starts_the_send_and_the_page_shows_its_progress(alpha: TenantFixture) -> None:
    email = _draft(alpha)
    client = alpha.client()

    response = client.post(f"{BASE}/{email.pk}/send/")
    page = client.get(f"{BASE}/{email.pk}/")

    assert response.status_code == 302
    assert page.status_code == 200
    assert 'data-testid="progress"' in page.content.decode()
    with alpha.active():
        email.refresh_from_db()
        assert email.status == EmailStatus.SENDING
        assert Recipient.objects.filter(email=email).count() == 3


def test_schedule_reads_the_time_in_the_workspaces_zone(alpha: TenantFixture) -> None:
    alpha.tenant.time_zone = "Europe/Bucharest"
    alpha.tenant.save(update_fields=["time_zone"])
    email = _draft(alpha)
    local = (
        (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo("Europe/Bucharest")).replace(second=0, microsecond=0)
    )

    response = alpha.client().post(f"{BASE}/{email.pk}/schedule/", {"scheduled_at": local.strftime("%Y-%m-%dT%H:%M")})
    page = alpha.client().get(f"{BASE}/{email.pk}/")

    assert response.status_code == 302
    with alpha.active():
        email.refresh_from_db()
    assert email.status == EmailStatus.SCHEDULED
    assert email.scheduled_at == local
    assert "Europe/Bucharest" in page.content.decode()


def test_bad_schedules_are_refused_naming_the_field(alpha: TenantFixture) -> None:
    email = _draft(alpha)
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client = alpha.client()

    for value in ("", "yesterday", "9999-12-31T23:59", past, "\x00"):
        response = client.post(f"{BASE}/{email.pk}/schedule/", {"scheduled_at": value})
        assert response.status_code == 400, value
        assert 'data-testid="scheduled_at-errors"' in response.content.decode(), value
    with alpha.active():
        email.refresh_from_db()
    assert email.status == EmailStatus.DRAFT


def test_cancel_stops_the_rows_not_yet_sent(alpha: TenantFixture) -> None:
    email = _draft(alpha)
    with alpha.active():
        start_send(email, by=None)

    response = alpha.client().post(f"{BASE}/{email.pk}/cancel/")

    assert response.status_code == 302
    with alpha.active():
        email.refresh_from_db()
        assert email.status == EmailStatus.CANCELLED
        assert set(Recipient.objects.filter(email=email).values_list("state", flat=True)) == {"cancelled"}
        assert Send.objects.get(email=email).status == "cancelled"


def test_a_role_without_marketing_send_sees_the_report_but_cannot_send(alpha: TenantFixture) -> None:
    email = _draft(alpha)
    grant(alpha, "sales_rep", "marketing.view")
    revoke(alpha, "sales_rep", "marketing.send")
    rep = alpha.client(REP_EMAIL)

    page = rep.get(f"{BASE}/{email.pk}/")
    refused = [rep.post(f"{BASE}/{email.pk}/{action}/", {}) for action in ("send", "schedule", "cancel")]

    assert page.status_code == 200
    assert 'data-testid="send-now"' not in page.content.decode()
    assert [response.status_code for response in refused] == [403, 403, 403]
    with alpha.active():
        assert not Send.objects.filter(email=email).exists()


def test_a_role_without_marketing_opens_nothing(alpha: TenantFixture) -> None:
    email = _draft(alpha)
    rep = alpha.client(REP_EMAIL)

    responses = [rep.get(f"{BASE}/{email.pk}/"), rep.get("/marketing/delivery/settings/")]

    assert [response.status_code for response in responses] == [403, 403]


def test_another_workspace_reaches_no_email(alpha: TenantFixture, beta: TenantFixture) -> None:
    email = _draft(alpha)
    with beta.active():
        MarketingEmail.objects.filter(pk=email.pk).delete()
    assert_cross_tenant_requests_fail(
        alpha, beta,
        [
            ("get", f"{BASE}/{email.pk}/", {}), ("post", f"{BASE}/{email.pk}/send/", {}),
            ("post", f"{BASE}/{email.pk}/schedule/", {"scheduled_at": "2099-01-01T10:00"}),
            ("post", f"{BASE}/{email.pk}/cancel/", {}),
        ],
    )  # fmt: skip


def test_a_workspace_without_marketing_gets_the_not_in_plan_page(alpha: TenantFixture) -> None:
    email = _draft(alpha)
    without_modules(alpha, "marketing")

    for path in (f"{BASE}/{email.pk}/", "/marketing/delivery/settings/"):
        response = alpha.client().get(path)
        assert response.status_code == 403
        assert "errors/not_in_plan.html" in [template.name for template in response.templates]
    assert alpha.client().post(f"{BASE}/{email.pk}/send/").status_code == 403
    with alpha.active():
        assert not Send.objects.filter(email=email).exists()


def _queries(fixture: TenantFixture, email: MarketingEmail) -> int:
    client = fixture.client()
    client.get(f"{BASE}/{email.pk}/")  # the session and caches are warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{BASE}/{email.pk}/").status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_5_and_50_recipients(alpha: TenantFixture) -> None:
    small = _draft(alpha, 5)
    with alpha.active():
        big_segment, _contacts = audience(50, prefix="many")
        big = marketing_email(big_segment, name="Big")
        start_send(small, by=None)
        start_send(big, by=None)

    assert _queries(alpha, small) == _queries(alpha, big)


def test_the_settings_page_stores_secrets_encrypted_and_keeps_them_when_left_empty(alpha: TenantFixture) -> None:
    from modules.marketing.delivery.models import DeliverySettings
    from tests.marketing.delivery.provider_payloads import SENDGRID_PUBLIC_KEY

    client = alpha.client()
    form = {"messages_per_minute": "120", "max_concurrency": "3", "webhook_user": "hooks"}
    pem = f"-----BEGIN PUBLIC KEY-----\n{SENDGRID_PUBLIC_KEY}\n-----END PUBLIC KEY-----"

    first = client.post(
        "/marketing/delivery/settings/",
        {**form, "webhook_password": "pw-1", "mailgun_signing_key": "mg-1", "sendgrid_verification_key": pem},
    )
    page = client.get("/marketing/delivery/settings/").content.decode()
    second = client.post("/marketing/delivery/settings/", {**form, "sendgrid_verification_key": SENDGRID_PUBLIC_KEY})
    bad = client.post("/marketing/delivery/settings/", {**form, "messages_per_minute": "0"})
    bad_key = client.post("/marketing/delivery/settings/", {**form, "sendgrid_verification_key": "not a key"})
    colon = client.post("/marketing/delivery/settings/", {**form, "webhook_user": "a:b"})

    assert (first.status_code, second.status_code, bad.status_code) == (302, 302, 400)
    assert 'data-testid="messages_per_minute-errors"' in bad.content.decode()
    assert bad_key.status_code == colon.status_code == 400
    assert 'data-testid="sendgrid_verification_key-errors"' in bad_key.content.decode()
    assert 'data-testid="webhook_user-errors"' in colon.content.decode()
    for slug in ("amazon-ses", "brevo", "mailgun", "mailjet", "postmark", "sendgrid"):
        assert f"/marketing/webhooks/{slug}/" in page
    assert "pw-1" not in page
    assert "mg-1" not in page
    with alpha.active():
        from core.encryption import decrypt

        row = DeliverySettings.objects.get()
        assert (row.messages_per_minute, row.max_concurrency, row.webhook_user) == (120, 3, "hooks")
        assert row.webhook_password.startswith("fernet:")
        assert (decrypt(row.webhook_password), decrypt(row.mailgun_signing_key)) == ("pw-1", "mg-1")
        assert row.sendgrid_verification_key == SENDGRID_PUBLIC_KEY


def test_the_settings_page_removes_a_stored_secret_and_refuses_a_new_one_with_its_removal(
    alpha: TenantFixture,
) -> None:
    from modules.marketing.delivery.models import DeliverySettings

    client = alpha.client()
    form = {"messages_per_minute": "120", "max_concurrency": "3", "webhook_user": "hooks"}
    client.post("/marketing/delivery/settings/", {**form, "webhook_password": "pw-1", "mailgun_signing_key": "mg-1"})

    both = client.post(
        "/marketing/delivery/settings/", {**form, "webhook_password": "pw-2", "remove_webhook_password": "on"}
    )
    removed = client.post("/marketing/delivery/settings/", {**form, "remove_webhook_password": "on"})
    page = client.get("/marketing/delivery/settings/").content.decode()

    assert both.status_code == 400
    assert 'data-testid="webhook_password-errors"' in both.content.decode()
    assert removed.status_code == 302
    with alpha.active():
        row = DeliverySettings.objects.get()
        assert (row.webhook_password, bool(row.mailgun_signing_key)) == ("", True)
    postmark = page.split('data-testid="webhook-postmark"', 1)[1].split("</dd>", 1)[0]
    mailgun = page.split('data-testid="webhook-mailgun"', 1)[1].split("</dd>", 1)[0]
    assert "credentials not set" in postmark
    assert "ready" in mailgun
