"""Triggers a module registers with an event type: the module's events fire rules of their
entity, for the record chosen in the rule's settings, and the definition checks that choice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError

from customization.events.outbox import emit
from customization.workflows import registry
from customization.workflows.definition import clean_definition
from customization.workflows.models import WorkflowRun
from customization.workflows.registry import WorkflowTrigger, register_trigger, selection_trigger_keys
from customization.workflows.views import builder_config
from tests.customization.workflows.engine.conftest import drive, make_rule
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture

SET_DESCRIPTION = [{"type": "update_field", "field": "description", "value": "entered"}]


@pytest.fixture
def thing_entered() -> Iterator[WorkflowTrigger]:
    trigger = WorkflowTrigger(
        key="test_thing_entered",
        label="Enters a thing",
        event="thing.entered",
        entities=("contact",),
        option=lambda: ((1, "First thing"), (2, "Second thing")),
        option_label="Thing",
    )
    register_trigger(trigger)
    yield trigger
    registry._TRIGGERS.pop(trigger.key, None)


def test_the_event_fires_rules_set_to_its_record_only(alpha: TenantFixture, thing_entered: WorkflowTrigger) -> None:
    with alpha.active():
        first = make_rule(
            entity="contact", trigger=thing_entered.key, trigger_config={"id": 1}, actions=SET_DESCRIPTION
        )
        second = make_rule(
            entity="contact", trigger=thing_entered.key, trigger_config={"id": 2}, actions=SET_DESCRIPTION
        )
        contact = ContactFactory()

        emit("thing.entered", contact, entity="contact", data={"id": 2})
        drive()

        assert not WorkflowRun.objects.filter(rule=first).exists()
        run = WorkflowRun.objects.get(rule=second)
        assert (run.status, run.record_id) == ("succeeded", contact.pk)
        contact.refresh_from_db()
        assert contact.description == "entered"


def test_an_event_trigger_is_not_a_selection_trigger(thing_entered: WorkflowTrigger) -> None:
    assert thing_entered.key not in selection_trigger_keys()


def test_the_definition_keeps_a_listed_record_and_names_a_wrong_one(
    alpha: TenantFixture, thing_entered: WorkflowTrigger
) -> None:
    with alpha.active():
        cleaned = clean_definition(
            entity="contact",
            trigger=thing_entered.key,
            trigger_config={"id": "2"},
            conditions=None,
            actions=SET_DESCRIPTION,
        )
        assert cleaned["trigger_config"] == {"id": 2}
        with pytest.raises(ValidationError) as wrong_record:
            clean_definition(
                entity="contact",
                trigger=thing_entered.key,
                trigger_config={"id": 7},
                conditions=None,
                actions=SET_DESCRIPTION,
            )
        assert "trigger_config.id" in wrong_record.value.message_dict
        with pytest.raises(ValidationError) as wrong_entity:
            clean_definition(
                entity="deal",
                trigger=thing_entered.key,
                trigger_config={"id": 1},
                conditions=None,
                actions=SET_DESCRIPTION,
            )
        assert "trigger" in wrong_entity.value.message_dict


def test_the_builder_offers_the_trigger_records(alpha: TenantFixture, thing_entered: WorkflowTrigger) -> None:
    with alpha.active():
        offered = builder_config()["eventTriggers"][thing_entered.key]
    assert offered["label"] == "Thing"
    assert offered["options"] == [{"value": "1", "label": "First thing"}, {"value": "2", "label": "Second thing"}]
