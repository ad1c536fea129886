"""The set-based writes under imports store what Django's own paths store: an instance built in
field order equals ``Model(**values)``, a COPY of records or of bare rows stores the values
``bulk_create`` would, and the outbox's COPY writes the events ``emit`` writes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.utils.functional import lazy

from core.bulk_copy import copy_create, copy_rows
from core.new_instances import new_instance
from customization.events.models import DomainEvent
from customization.events.outbox import emit, emit_many
from modules.contacts.models import Company, Contact, TimelineEntry
from modules.sales.models import Deal
from modules.sales.services.pipelines import default_pipeline
from tests.tenancy import TenantFixture

# Columns every row fills its own way (ids, stamps, random ids) or the database generates.
EXCLUDED = {"id", "search_vector", "created_at", "updated_at", "occurred_at", "event_id", "stage_entered_at"}


def _stored(model: type[models.Model], pk: int) -> dict[str, Any]:
    return {k: v for k, v in model._default_manager.filter(pk=pk).values().get().items() if k not in EXCLUDED}


def _state(instance: models.Model) -> dict[str, Any]:
    return {k: v for k, v in instance.__dict__.items() if k != "_state"}


def test_an_instance_built_in_field_order_is_the_one_keywords_build(alpha: TenantFixture) -> None:
    with alpha.active():
        owner = alpha.user()
        company = Company.objects.create(name="Anvil Works")
        values = {"first_name": "Ana", "last_name": "Pop", "owner": owner, "company": company, "custom": {"a": 1}}

        built, expected = new_instance(Contact, values), Contact(**values)
        no_company = new_instance(Contact, {**values, "company": None})

        with pytest.raises(TypeError) as refused:
            new_instance(Contact, {**values, "nickname": "A"})  # not a field: Django's own refusal
        with pytest.raises(ValueError, match='must be a "Company" instance'):
            new_instance(Contact, {**values, "company": owner})
    assert _state(built) == _state(expected)
    assert built._state.adding
    assert built.company is company
    assert built.owner is owner
    assert built.additional_emails == []
    assert built.additional_emails is not expected.additional_emails
    assert no_company.company_id is None
    assert no_company.company is None
    assert "nickname" in str(refused.value)


def test_copy_stores_what_bulk_create_stores(alpha: TenantFixture) -> None:
    lazy_text = lazy(lambda: "Lazy title", str)()  # not plain text: goes through the field's own preparation
    with alpha.active():
        owner = alpha.user()
        pipeline = default_pipeline()
        assert pipeline is not None
        stage = pipeline.stages.first()

        def contact() -> Contact:
            return Contact(
                first_name="Ana", last_name="Pop", full_name="Ana Pop", owner=owner, job_title=lazy_text,
                additional_emails=["a@x.example"], custom={"since": "2026-01-31", "n": 2},
            )  # fmt: skip

        def deal() -> Deal:
            return Deal(
                name="Anvils", amount=Decimal("12.50"), currency="EUR", pipeline=pipeline, stage=stage, owner=owner,
                expected_close_date=datetime.date(2031, 1, 31), probability=40,
            )  # fmt: skip

        copied, created = copy_create(Contact, [contact()])[0], Contact.objects.bulk_create([contact()])[0]
        copied_deal, created_deal = copy_create(Deal, [deal()])[0], Deal.objects.bulk_create([deal()])[0]
        contacts = _stored(Contact, copied.pk), _stored(Contact, created.pk)
        deals = _stored(Deal, copied_deal.pk), _stored(Deal, created_deal.pk)
        stamps = Contact.objects.filter(pk=copied.pk).values_list("created_at", "updated_at").get()

        copy_rows(TimelineEntry, ["kind", "actor_id", "contact_id", "data"], [("note", owner.pk, copied.pk, {"x": 1})])
        row = TimelineEntry.objects.filter(contact=copied).values("kind", "actor_id", "data", "deal_id").get()
    assert contacts[0] == contacts[1]
    assert contacts[0]["job_title"] == "Lazy title"
    assert deals[0] == deals[1]
    assert stamps == (copied.created_at, copied.updated_at)
    assert copied.pk != created.pk
    assert row == {"kind": "note", "actor_id": owner.pk, "data": {"x": 1}, "deal_id": None}


def test_the_outbox_copy_writes_the_events_emit_writes(alpha: TenantFixture) -> None:
    with alpha.active():
        owner = alpha.user()
        emit("contact.created", Contact(pk=7), entity="contact", data={"assignee_id": owner.pk}, actor=owner)
        emit_many("contact.created", entity="contact", records=[(7, {"assignee_id": owner.pk})], actor=owner)
        emit_many("contact.created", entity="contact", records=[], actor=owner)

        events = list(DomainEvent.objects.filter(record_id=7).order_by("id").values())
    assert len(events) == 2
    single, bulk = ({k: v for k, v in event.items() if k not in EXCLUDED} for event in events)
    assert single == bulk
    assert events[0]["event_id"] != events[1]["event_id"]
    assert events[1]["occurred_at"] is not None
