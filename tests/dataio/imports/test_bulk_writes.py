"""The set-based writes under imports store what Django's own paths store: an instance built in
field order equals ``Model(**values)``, a COPY of records or of bare rows stores the values
``bulk_create`` would, a set-based update the values ``bulk_update`` would, and the outbox's COPY
writes the events ``emit`` writes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.utils.functional import lazy

from core.bulk_copy import COPY_UPDATE_FROM, copy_create, copy_rows, copy_update
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


def test_a_set_based_update_stores_what_bulk_update_stores(alpha: TenantFixture) -> None:
    count = COPY_UPDATE_FROM  # enough rows for the scratch table, not bulk_update's statement
    with alpha.active():
        owner, company = alpha.user(), Company.objects.create(name="Anvil Works")
        pairs = [
            copy_create(Contact, [Contact(first_name=f"Ana{n}", last_name="Pop", full_name=f"Ana{n} Pop", owner=owner)
                                  for n in range(count)])
            for _twice in range(2)
        ]  # fmt: skip
        names = ["job_title", "company", "additional_phones", "custom", "description"]
        for copied, updated in zip(*pairs, strict=True):
            for contact in (copied, updated):
                n = int(contact.first_name.removeprefix("Ana"))
                contact.job_title = f"Smith {n}" if n % 2 else ""
                contact.company = company if n % 3 else None
                contact.additional_phones = ["+40 21 000 0000", f"+40 21 000 {n:04d}"]
                contact.custom = {"n": n, "tags": ["a", "b"]}
                contact.description = f'Line {n}\n\t"quoted" \\ back-slashed, ünicode'  # COPY's escapes
        copy_update(Contact, pairs[0], names)
        Contact.objects.bulk_update(pairs[1], names)
        stored = [
            [{k: v for k, v in row.items() if k not in EXCLUDED}
             for row in Contact.objects.filter(pk__in=[c.pk for c in contacts]).order_by("pk").values()]
            for contacts in pairs
        ]  # fmt: skip
    assert stored[0] == stored[1]
    assert stored[0][1]["job_title"] == "Smith 1"
    assert stored[0][1]["company_id"] == company.pk


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
