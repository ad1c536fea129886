"""The field catalogue, reading fields by path and setting them through the record services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customization.events.models import DomainEvent
from customization.fields.models import CustomFieldDefinition
from customization.workflows.record_fields import field_catalog, read_field, set_fields
from modules.contacts.models import TimelineEntry
from tests.factories import DealFactory
from tests.tenancy import TenantFixture


def test_the_catalogue_lists_standard_and_active_custom_fields(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(
            entity="deal", key="region", label="Region", field_type="single_select",
            options=[{"value": "eu", "label": "Europe"}],
        )  # fmt: skip
        catalog = {info.path: info for info in field_catalog("deal")}

    assert catalog["amount"].kind == "money"
    assert catalog["owner"].kind == "user"
    assert catalog["company"].kind == "record"
    assert catalog["company"].reference_entity == "company"
    assert catalog["expected_close_date"].kind == "date"
    assert catalog["status"].settable is False
    assert catalog["stage"].kind == "choice"
    assert catalog["custom.region"].kind == "choice"
    assert catalog["custom.region"].choices == (("eu", "Europe"),)


def test_set_fields_goes_through_the_update_service(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="deal", key="score", label="Score", field_type="number")
        deal = DealFactory(amount=Decimal("10"))
        events_before = DomainEvent.objects.filter(type="deal.updated", record_id=deal.pk).count()

        set_fields(deal, {"amount": "250.50", "custom.score": "7", "owner": alpha.user().pk})

        deal.refresh_from_db()
        assert deal.amount == Decimal("250.50")
        assert read_field(deal, "custom.score") == 7
        assert read_field(deal, "owner") == alpha.user().pk
        assert DomainEvent.objects.filter(type="deal.updated", record_id=deal.pk).count() == events_before + 1
        assert TimelineEntry.objects.filter(deal=deal, kind="updated").count() == 1


def test_set_fields_refuses_bad_values_naming_the_path(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="deal", key="score", label="Score", field_type="number")
        deal = DealFactory(amount=Decimal("10"))

        with pytest.raises(ValidationError) as raised:
            set_fields(deal, {"custom.score": "many", "status": "won"})

        assert set(raised.value.message_dict) == {"status"}
        deal.refresh_from_db()
        assert deal.custom == {}
