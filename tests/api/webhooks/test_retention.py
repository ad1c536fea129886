"""The delivery log keeps finished deliveries WEBHOOK_DELIVERY_RETENTION_DAYS, then the hourly purge
removes them with their attempts; pending deliveries and other tenants' logs are left alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from api.webhooks.choices import DeliveryState
from api.webhooks.models import Delivery, DeliveryAttempt
from api.webhooks.services.deliveries import send_test_event
from api.webhooks.tasks import purge_webhook_deliveries
from tests.api.webhooks.conftest import Receiver, make_endpoint
from tests.tenancy import TenantFixture


def _finished(delivery: Delivery, *, days_ago: float, state: str = DeliveryState.SUCCEEDED) -> None:
    finished_at = timezone.now() - timedelta(days=days_ago)
    Delivery.objects.filter(pk=delivery.pk).update(state=state, finished_at=finished_at)
    DeliveryAttempt.objects.create(
        delivery=delivery, number=1, url="https://hooks.example/in", started_at=finished_at, succeeded=True
    )


def test_finished_deliveries_past_retention_go_with_their_attempts(
    alpha: TenantFixture, receiver: Receiver, settings
) -> None:
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        old_ok, old_failed, recent, pending = (send_test_event(endpoint) for _ in range(4))
        _finished(old_ok, days_ago=31)
        _finished(old_failed, days_ago=45, state=DeliveryState.FAILED)
        _finished(recent, days_ago=29)
        Delivery.objects.filter(pk=pending.pk).update(created_at=timezone.now() - timedelta(days=90))

        removed = purge_webhook_deliveries()

        assert removed == 2
        assert set(Delivery.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
        assert set(DeliveryAttempt.objects.values_list("delivery_id", flat=True)) == {recent.pk}


def test_one_tenants_purge_leaves_another_tenants_log_alone(
    alpha: TenantFixture, beta: TenantFixture, receiver: Receiver, settings
) -> None:
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    with beta.active():
        betas = send_test_event(make_endpoint(receiver.url))
        _finished(betas, days_ago=60)
    with alpha.active():
        alphas = send_test_event(make_endpoint(receiver.url))
        _finished(alphas, days_ago=60)

        assert purge_webhook_deliveries() == 1
        assert not Delivery.objects.filter(pk=alphas.pk).exists()
    with beta.active():
        assert Delivery.objects.filter(pk=betas.pk).exists()
        assert DeliveryAttempt.objects.filter(delivery_id=betas.pk).count() == 1
