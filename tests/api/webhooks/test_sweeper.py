"""The sweeper's choice of deliveries, the filters' validation, and tasks queued without a tenant."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from api.webhooks.models import Delivery
from api.webhooks.services.deliveries import due_delivery_ids, send_test_event
from api.webhooks.services.endpoints import clean_filters, disable_endpoint
from api.webhooks.tasks import queue_due_webhook_deliveries, send_webhook_delivery
from tests.api.webhooks.conftest import Receiver, make_endpoint
from tests.tenancy import TenantFixture


def test_the_sweeper_takes_due_unheld_deliveries_of_enabled_endpoints(alpha: TenantFixture, receiver: Receiver) -> None:
    now = timezone.now()
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        off = make_endpoint(receiver.url + "?off")
        due, held, crashed, later, just_made, stopped = (send_test_event(e) for e in [endpoint] * 5 + [off])
        Delivery.objects.filter(pk__in=[due.pk, held.pk, crashed.pk, stopped.pk]).update(
            next_attempt_at=now - timedelta(minutes=1)
        )
        Delivery.objects.filter(pk=held.pk).update(lease_until=now + timedelta(seconds=30))
        # A worker died holding it: the lease ran out, so it is sent again.
        Delivery.objects.filter(pk=crashed.pk).update(lease_until=now - timedelta(seconds=1))
        Delivery.objects.filter(pk=later.pk).update(next_attempt_at=now + timedelta(hours=2))
        disable_endpoint(off, reason="manual")

        assert sorted(due_delivery_ids()) == sorted([due.pk, crashed.pk])
        assert just_made.pk not in due_delivery_ids()  # its own queued message comes first


def test_tasks_queued_without_a_tenant_do_nothing(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        delivery = send_test_event(make_endpoint(receiver.url))
    connection.set_schema_to_public()  # type: ignore[attr-defined]

    assert send_webhook_delivery(delivery.pk) is None
    assert queue_due_webhook_deliveries() == 0
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"event_types": ["contact.exploded"]}, "event_types"),
        ({"entities": ["planet"]}, "entities"),
        ({"changed_fields": {"planet": ["name"]}}, "changed_fields"),
        ({"changed_fields": {"contact": ["shoe_size"]}}, "changed_fields"),
        ({"changed_fields": {"contact": "email"}}, "changed_fields"),
    ],
)
def test_unknown_filters_are_refused_by_name(filters: dict[str, object], field: str, alpha: TenantFixture) -> None:
    values = {"event_types": [], "entities": [], "changed_fields": {}, **filters}
    with alpha.active(), pytest.raises(ValidationError) as refused:
        clean_filters(values["event_types"], values["entities"], values["changed_fields"])  # type: ignore[arg-type]
    assert list(refused.value.message_dict) == [field]


def test_custom_fields_can_be_filtered_on(alpha: TenantFixture) -> None:
    from customization.fields.models import CustomFieldDefinition

    with alpha.active():
        CustomFieldDefinition.objects.create(entity="deal", key="tier", label="Tier", field_type="text")
        assert clean_filters(["deal.updated"], [], {"deal": ["custom.tier", "amount"]}) == (
            ["deal.updated"],
            [],
            {"deal": ["amount", "custom.tier"]},
        )
