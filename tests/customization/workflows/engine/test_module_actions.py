"""Actions a module registers (``registry.register_action``): the definition checks the record type,
the chosen record and the module's own settings; the engine runs the module's ``execute`` in the
step; the builder offers them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from customization.events.outbox import emit
from customization.workflows import registry
from customization.workflows.choices import action_choices
from customization.workflows.definition import clean_definition
from customization.workflows.engine.actions.base import Outcome
from customization.workflows.engine.context import StepContext
from customization.workflows.models import WorkflowRun, WorkflowStepRun
from customization.workflows.registry import WorkflowAction, register_action
from customization.workflows.views import builder_config
from tests.customization.workflows.engine.conftest import drive, make_rule
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture


def _tag_contact(config: dict[str, Any], context: StepContext) -> Outcome:
    record: Any = context.record
    record.description = f"thing {config['id']} {config['note']}"
    record.save(update_fields=["description"])
    return Outcome({"thing": config["id"]})


def _clean(settings: Any) -> dict[str, Any]:
    note = settings.get("note")
    if not isinstance(note, str) or not note.strip():
        raise ValidationError({"note": ["Write a note."]})
    return {"note": note.strip()}


@pytest.fixture
def put_in_thing() -> Iterator[WorkflowAction]:
    action = WorkflowAction(
        key="test_put_in_thing",
        label="Put in a thing",
        execute=_tag_contact,
        entities=("contact",),
        option=lambda: ((1, "First thing"), (2, "Second thing")),
        option_label="Thing",
        clean=_clean,
    )
    register_action(action)
    yield action
    registry._ACTIONS.pop(action.key, None)


def test_a_built_in_key_cannot_be_registered_again() -> None:
    with pytest.raises(ValueError, match="built-in"):
        register_action(WorkflowAction(key="wait", label="Wait", execute=_tag_contact))
    with pytest.raises(ValueError, match="30 characters"):
        register_action(WorkflowAction(key="x" * 31, label="Long", execute=_tag_contact))


def test_the_definition_keeps_the_record_and_names_each_wrong_part(
    alpha: TenantFixture, put_in_thing: WorkflowAction
) -> None:
    with alpha.active():
        cleaned = clean_definition(
            entity="contact",
            trigger="record_created",
            trigger_config={},
            conditions=None,
            actions=[{"type": put_in_thing.key, "id": "2", "note": " hello ", "extra": "dropped"}],
        )
        assert cleaned["actions"] == [{"type": put_in_thing.key, "id": 2, "note": "hello"}]

        with pytest.raises(ValidationError) as wrong:
            clean_definition(
                entity="contact",
                trigger="record_created",
                trigger_config={},
                conditions=None,
                actions=[{"type": put_in_thing.key, "id": 9, "note": "x"}, {"type": put_in_thing.key, "id": 1}],
            )
        assert set(wrong.value.message_dict) == {"actions[0].id", "actions[1].note"}

        with pytest.raises(ValidationError) as wrong_entity:
            clean_definition(
                entity="deal",
                trigger="record_created",
                trigger_config={},
                conditions=None,
                actions=[{"type": put_in_thing.key, "id": 1, "note": "x"}],
            )
        assert set(wrong_entity.value.message_dict) == {"actions[0].type"}


def test_an_unregistered_action_is_refused(alpha: TenantFixture) -> None:
    with alpha.active(), pytest.raises(ValidationError) as wrong:
        clean_definition(
            entity="contact",
            trigger="record_created",
            trigger_config={},
            conditions=None,
            actions=[{"type": "test_put_in_thing", "id": 1}],
        )
    assert set(wrong.value.message_dict) == {"actions[0].type"}


def test_the_engine_runs_the_module_action_in_the_step(alpha: TenantFixture, put_in_thing: WorkflowAction) -> None:
    with alpha.active():
        rule = make_rule(
            entity="contact",
            trigger="record_updated",
            actions=[{"type": put_in_thing.key, "id": 2, "note": "hi"}],
        )
        contact = ContactFactory()
        emit("contact.updated", contact, entity="contact", data={"changed": ["email"]})
        drive()

        run = WorkflowRun.objects.get(rule=rule)
        assert run.status == "succeeded"
        step = WorkflowStepRun.objects.get(run=run)
        assert (step.action_type, step.output) == (put_in_thing.key, {"thing": 2})
        contact.refresh_from_db()
        assert contact.description == "thing 2 hi"


def test_the_builder_offers_the_action_and_its_records(alpha: TenantFixture, put_in_thing: WorkflowAction) -> None:
    with alpha.active():
        config = builder_config()
    assert {"value": put_in_thing.key, "label": "Put in a thing"} in config["actionTypes"]
    assert config["registeredActions"][put_in_thing.key] == {
        "label": "Thing",
        "options": [{"value": "1", "label": "First thing"}, {"value": "2", "label": "Second thing"}],
        "entities": ["contact"],
    }
    assert (put_in_thing.key, "Put in a thing") in action_choices()
