"""An endpoint that keeps failing is disabled and the tenant's admins are told by e-mail."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from api.webhooks.models import WebhookEndpoint
from api.webhooks.notices import send_disabled_notice
from api.webhooks.policy import DISABLE_AFTER_FAILED_DELIVERIES, MAX_ATTEMPTS
from api.webhooks.services.sending import attempt_delivery
from modules.contacts.services.contacts import create_contact
from tests.api.webhooks.conftest import Receiver, attempt_now, deliver_events, make_endpoint
from tests.tenancy import TenantFixture


def test_failing_for_five_days_disables_and_mails_the_admins(
    alpha: TenantFixture, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    receiver.statuses = [500, 500]
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        since = timezone.now() - timedelta(days=5, minutes=1)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=since)
        create_contact(by=None, last_name="Still failing")
        create_contact(by=None, last_name="Waiting")
        first, second = deliver_events()

        with django_capture_on_commit_callbacks(execute=True):
            assert attempt_delivery(first.pk) == "failed"

        endpoint.refresh_from_db()
        assert (endpoint.is_enabled, endpoint.disabled_reason) == (False, "failing")
        second.refresh_from_db()
        assert second.state == "failed"
        assert len(receiver.requests) == 1
        [message] = mail.outbox
        assert message.to == ["admin@example.test"]
        assert message.subject == f"Webhook endpoint disabled: {receiver.url}"
        assert "Deliveries kept failing" in message.body
        assert f"{alpha.host}/settings/webhooks/{endpoint.pk}/" in message.body


def test_consecutive_failed_deliveries_disable_the_endpoint(
    alpha: TenantFixture, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    receiver.statuses = [500] * MAX_ATTEMPTS
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=DISABLE_AFTER_FAILED_DELIVERIES - 1)
        create_contact(by=None, last_name="Last straw")
        [delivery] = deliver_events()

        with django_capture_on_commit_callbacks() as callbacks:
            for _attempt in range(MAX_ATTEMPTS):
                attempt_now(delivery)
        endpoint.refresh_from_db()
        assert (endpoint.is_enabled, endpoint.disabled_reason) == (False, "failing")
        assert endpoint.consecutive_failures == DISABLE_AFTER_FAILED_DELIVERIES
        assert delivery.state == "failed"
        notices = [c for c in callbacks if getattr(c, "func", None) is send_disabled_notice]
        assert len(notices) == 1
        notices[0]()
        assert [m.to for m in mail.outbox] == [["admin@example.test"]]


def test_a_success_ends_the_failure_streak(alpha: TenantFixture, receiver: Receiver) -> None:
    receiver.statuses = [500]
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=3)
        create_contact(by=None, last_name="Recovers")
        [delivery] = deliver_events()
        attempt_now(delivery)
        endpoint.refresh_from_db()
        assert endpoint.failing_since is not None

        attempt_now(delivery)

        endpoint.refresh_from_db()
        assert (endpoint.failing_since, endpoint.consecutive_failures, endpoint.is_enabled) == (None, 0, True)


def test_an_admin_switching_an_endpoint_off_sends_no_mail(
    alpha: TenantFixture, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    from api.webhooks.services.endpoints import disable_endpoint

    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            assert disable_endpoint(endpoint, reason="manual") is True
        assert mail.outbox == []
