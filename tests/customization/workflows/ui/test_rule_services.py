"""Rule services: what a definition must satisfy (errors named by path, nothing written), versions,
activation, copies and deletion."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from customization.fields.choices import Entity, FieldType
from customization.fields.services import create_definition
from customization.workflows.models import WorkflowRule, WorkflowRuleVersion
from customization.workflows.services import (
    create_email_template,
    delete_rule,
    duplicate_rule,
    set_rule_active,
    update_rule,
)
from identity.models import Team
from tests.customization.workflows.ui.conftest import make_rule, proposal_stage
from tests.tenancy import TenantFixture

TASK = {"type": "create_activity", "kind": "task", "subject": "Call", "due_in": {"days": 1}}


def _errors_of(**overrides: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        make_rule(**overrides)
    return refused.value.message_dict


def test_a_new_rule_is_inactive_at_version_1_with_its_definition_normalised(alpha: TenantFixture):
    with alpha.active():
        stage = proposal_stage()

        rule = make_rule(trigger_config={"stage_id": str(stage.pk)})

        version = WorkflowRuleVersion.objects.get(rule=rule)
        assert (rule.is_active, rule.version, version.version) == (False, 1, 1)
        assert rule.trigger_config == {"stage_id": stage.pk}
        assert rule.conditions == {"match": "all", "conditions": [{"field": "amount", "op": "gte", "value": "500"}]}
        assert rule.actions == [
            {
                "type": "create_activity",
                "kind": "task",
                "subject": "Follow up on the proposal",
                "due_in": {"days": 2, "hours": 0},
                "assignee": "record_owner",
            }
        ]
        assert version.definition == {
            "entity": "deal",
            "trigger": "stage_entered",
            "trigger_config": {"stage_id": stage.pk},
            "conditions": rule.conditions,
            "actions": rule.actions,
        }


def _deep(levels: int) -> dict[str, Any]:
    group: dict[str, Any] = {"match": "all", "conditions": [{"field": "amount", "op": "gt", "value": 1}]}
    for _level in range(levels - 1):
        group = {"match": "any", "conditions": [group]}
    return group


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"name": " "}, "name"),
        ({"trigger_config": {"stage_id": 999999}}, "trigger_config.stage_id"),
        ({"trigger_config": {}}, "trigger_config.stage_id"),
        ({"entity": "contact"}, "trigger"),
        ({"trigger": "field_changed", "trigger_config": {"field": "nope"}}, "trigger_config.field"),
        ({"trigger": "date_reached", "trigger_config": {"field": "amount"}}, "trigger_config.field"),
        (
            {"trigger": "date_reached", "trigger_config": {"field": "expected_close_date", "offset_days": 400}},
            "trigger_config.offset_days",
        ),
        ({"conditions": {"match": "all", "conditions": [{"field": "nope", "op": "eq", "value": 1}]}},
         "conditions.conditions[0].field"),
        ({"conditions": {"match": "all", "conditions": [{"field": "amount", "op": "contains", "value": "1"}]}},
         "conditions.conditions[0].op"),
        ({"conditions": {"match": "all", "conditions": [{"field": "amount", "op": "changed"}]}},
         "conditions.conditions[0].op"),
        ({"conditions": {"match": "any", "conditions": [
            {"field": "amount", "op": "is_empty"},
            {"match": "all", "conditions": [{"field": "amount", "op": "gt", "value": "lots"}]},
        ]}}, "conditions.conditions[1].conditions[0].value"),
        ({"conditions": {"match": "all", "conditions": [{"field": "status", "op": "eq", "value": "maybe"}]}},
         "conditions.conditions[0].value"),
        ({"conditions": {"match": "sometimes", "conditions": []}}, "conditions.match"),
        ({"conditions": _deep(4)}, "conditions.conditions[0].conditions[0].conditions[0]"),
        ({"actions": []}, "actions"),
        ({"actions": [TASK] * 21}, "actions"),
        ({"actions": [{"type": "teleport"}]}, "actions[0].type"),
        ({"actions": [TASK, {**TASK, "subject": ""}]}, "actions[1].subject"),
        ({"actions": [{**TASK, "kind": "party"}]}, "actions[0].kind"),
        ({"actions": [{**TASK, "assignee": 999999}]}, "actions[0].assignee"),
        ({"actions": [{"type": "update_field", "field": "created_at", "value": "2026-01-01"}]}, "actions[0].field"),
        ({"actions": [{"type": "update_field", "field": "amount", "value": "much"}]}, "actions[0].value"),
        ({"actions": [{"type": "assign_round_robin", "team_id": 999999}]}, "actions[0].team_id"),
        ({"actions": [{"type": "send_email", "template_id": 999999, "to": "record"}]}, "actions[0].template_id"),
        ({"actions": [{"type": "send_email", "template_id": None, "to": "not-an-address"}]}, "actions[0].to"),
        ({"actions": [{"type": "http_request", "url": "ftp://example.test/hook"}]}, "actions[0].url"),
        ({"actions": [{"type": "http_request", "url": "https://example.test", "method": "BREW"}]}, "actions[0].method"),
        ({"actions": [{"type": "wait", "days": 91}]}, "actions[0].days"),
        ({"actions": [{"type": "wait", "hours": 0}]}, "actions[0].hours"),
        ({"actions": [TASK, TASK, {"type": "wait"}]}, "actions[2].hours"),
    ],
)  # fmt: skip
def test_a_wrong_part_is_named_and_nothing_is_written(alpha: TenantFixture, overrides: dict[str, Any], path: str):
    with alpha.active():
        errors = _errors_of(**overrides)

        assert path in errors, errors
        assert (WorkflowRule.objects.count(), WorkflowRuleVersion.objects.count()) == (0, 0)


def test_groups_nest_three_levels_deep(alpha: TenantFixture):
    with alpha.active():
        rule = make_rule(conditions=_deep(3))

    assert rule.conditions["conditions"][0]["conditions"][0]["conditions"] == [
        {"field": "amount", "op": "gt", "value": "1"}
    ]


def test_all_wrong_parts_are_reported_at_once(alpha: TenantFixture):
    with alpha.active():
        errors = _errors_of(
            trigger_config={"stage_id": 999999},
            actions=[{**TASK, "subject": ""}, {"type": "http_request", "url": "file:///etc/passwd"}],
        )

    assert sorted(errors) == ["actions[0].subject", "actions[1].url", "trigger_config.stage_id"]


def test_conditions_on_custom_fields_follow_their_kind(alpha: TenantFixture):
    with alpha.active():
        create_definition(
            by=None, entity=Entity.DEAL, key="region", label="Region", field_type=FieldType.SINGLE_SELECT,
            options=[{"value": "north", "label": "North"}, {"value": "south", "label": "South"}],
        )  # fmt: skip
        good = {"match": "all", "conditions": [{"field": "custom.region", "op": "in", "value": "north, south"}]}
        rule = make_rule(conditions=good)
        errors = _errors_of(
            conditions={"match": "all", "conditions": [{"field": "custom.region", "op": "eq", "value": "east"}]}
        )

    assert rule.conditions["conditions"][0]["value"] == ["north", "south"]
    assert list(errors) == ["conditions.conditions[0].value"]


def test_saving_the_name_keeps_the_version_and_a_new_definition_is_the_next_one(alpha: TenantFixture):
    with alpha.active():
        rule = make_rule()
        renamed = update_rule(rule, by=None, name="Renamed")
        changed = update_rule(renamed, by=None, actions=[{**TASK, "subject": "Second thoughts"}])

        versions = dict(WorkflowRuleVersion.objects.filter(rule=rule).values_list("version", "definition"))
        assert (renamed.version, changed.version) == (1, 2)
        assert versions[1]["actions"][0]["subject"] == "Follow up on the proposal"
        assert versions[2]["actions"][0]["subject"] == "Second thoughts"


def test_an_active_rule_stays_active_when_saved(alpha: TenantFixture):
    with alpha.active():
        rule = set_rule_active(make_rule(), True, by=None)

        saved = update_rule(rule, by=None, actions=[TASK, {"type": "wait", "hours": 4}])

        assert (saved.is_active, saved.version) == (True, 2)


def test_a_refused_update_changes_nothing(alpha: TenantFixture):
    with alpha.active():
        rule = set_rule_active(make_rule(), True, by=None)

        with pytest.raises(ValidationError) as refused:
            update_rule(rule, by=None, name="Broken", actions=[{**TASK, "subject": ""}])
        with pytest.raises(ValidationError) as unknown:
            update_rule(rule, by=None, is_active=False)

        rule.refresh_from_db()
        assert list(refused.value.message_dict) == ["actions[0].subject"]
        assert list(unknown.value.message_dict) == ["is_active"]
        assert (rule.name, rule.version, rule.is_active) == ("Proposal follow-up", 1, True)
        assert rule.actions[0]["subject"] == "Follow up on the proposal"
        assert WorkflowRuleVersion.objects.filter(rule=rule).count() == 1


def test_activation_checks_the_definition_again(alpha: TenantFixture):
    with alpha.active():
        team = Team.objects.get(name="Field sales")
        rule = make_rule(actions=[{"type": "assign_round_robin", "team_id": team.pk}])
        team.delete()

        with pytest.raises(ValidationError) as refused:
            set_rule_active(rule, True, by=None)

        rule.refresh_from_db()
        assert list(refused.value.message_dict) == ["actions[0].team_id"]
        assert rule.is_active is False


def test_activate_and_deactivate(alpha: TenantFixture):
    with alpha.active():
        rule = make_rule()

        on = set_rule_active(rule, True, by=None)
        off = set_rule_active(rule, False, by=None)

        assert (on.is_active, off.is_active, off.version) == (True, False, 1)


def test_a_copy_is_inactive_at_version_1(alpha: TenantFixture):
    with alpha.active():
        rule = update_rule(set_rule_active(make_rule(), True, by=None), by=None, actions=[TASK])

        copy = duplicate_rule(rule, by=None)

        assert (copy.name, copy.is_active, copy.version, copy.actions) == (
            "Copy of Proposal follow-up", False, 1, rule.actions,
        )  # fmt: skip
        assert WorkflowRuleVersion.objects.filter(rule=copy).count() == 1


def test_deleting_a_rule_removes_its_versions(alpha: TenantFixture):
    with alpha.active():
        rule = update_rule(make_rule(), by=None, actions=[TASK])
        other = make_rule(name="Other")

        delete_rule(rule, by=None)

        assert list(WorkflowRule.objects.values_list("name", flat=True)) == ["Other"]
        assert list(WorkflowRuleVersion.objects.values_list("rule_id", flat=True)) == [other.pk]


def test_send_email_needs_an_existing_template(alpha: TenantFixture):
    with alpha.active():
        template = create_email_template(name="Welcome", subject="Hi {{ owner.first_name }}", body="Hello")

        rule = make_rule(actions=[{"type": "send_email", "template_id": str(template.pk), "to": "boss@example.test"}])

    assert rule.actions == [{"type": "send_email", "template_id": template.pk, "to": "boss@example.test"}]
