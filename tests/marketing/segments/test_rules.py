"""Rules compile to one query per segment; each operator and kind of condition picks exactly the
contacts it describes; wrong rules name the offending part; any JSON is either cleaned or
refused with errors, never an exception."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customization.fields.services import create_definition
from modules.marketing.segments.rules import clean_rules, condition_types, is_time_relative, matching_contacts
from tests.marketing.segments.conftest import People
from tests.tenancy import TenantFixture


def _one(condition: dict[str, Any]) -> dict[str, Any]:
    return {"match": "all", "conditions": [condition]}


def _names(rules: dict[str, Any]) -> set[str]:
    return set(matching_contacts(clean_rules(rules)).values_list("first_name", flat=True))


CASES: list[tuple[dict[str, Any], set[str]]] = [
    # Contact fields, text (equality ignores case; a missing value satisfies only the negatives)
    ({"type": "contact", "field": "city", "op": "eq", "value": "PARIS"}, {"Ana", "Dan"}),
    ({"type": "contact", "field": "city", "op": "ne", "value": "Paris"}, {"Bob", "Cleo", "Eve"}),
    ({"type": "contact", "field": "email", "op": "contains", "value": "example.com"}, {"Ana", "Cleo"}),
    ({"type": "contact", "field": "email", "op": "not_contains", "value": "example.com"}, {"Bob", "Dan", "Eve"}),
    ({"type": "contact", "field": "email", "op": "starts_with", "value": "b"}, {"Bob"}),
    ({"type": "contact", "field": "city", "op": "in", "value": "Rome, Berlin"}, {"Bob", "Eve"}),
    ({"type": "contact", "field": "city", "op": "is_empty"}, {"Cleo"}),
    ({"type": "contact", "field": "email", "op": "is_not_empty"}, {"Ana", "Bob", "Cleo", "Eve"}),
    # Choices and records
    ({"type": "contact", "field": "source", "op": "eq", "value": "website"}, {"Ana", "Eve"}),
    ({"type": "contact", "field": "source", "op": "not_in", "value": ["website", "event"]}, {"Bob", "Cleo"}),
    ({"type": "contact", "field": "company", "op": "is_empty"}, {"Cleo", "Eve"}),
    # Dates relative to today
    (
        {"type": "contact", "field": "created_at", "op": "in_last_days", "value": 1},
        {"Ana", "Bob", "Cleo", "Dan", "Eve"},
    ),
    ({"type": "contact", "field": "created_at", "op": "over_days_ago", "value": 1}, set()),
    # The company's fields
    ({"type": "company", "field": "employee_count", "op": "gte", "value": 100}, {"Ana", "Dan"}),
    ({"type": "company", "field": "employee_count", "op": "lt", "value": 100}, {"Bob"}),
    ({"type": "company", "field": "industry", "op": "eq", "value": "retail"}, {"Bob"}),
    ({"type": "company", "field": "name", "op": "is_empty"}, {"Cleo", "Eve"}),
    # Tags
    ({"type": "tag", "op": "any", "tags": ["{vip}"]}, {"Ana", "Bob"}),
    ({"type": "tag", "op": "none", "tags": ["{vip}", "{cold}"]}, {"Cleo", "Eve"}),
    # Activities: done or due within the window, never in the future
    ({"type": "activity", "op": "has", "days": 30}, {"Ana"}),
    ({"type": "activity", "op": "has", "days": 60, "kind": "meeting"}, {"Bob"}),
    ({"type": "activity", "op": "none", "days": 30}, {"Bob", "Cleo", "Dan", "Eve"}),
    # Deals
    ({"type": "deal", "op": "open"}, {"Ana"}),
    ({"type": "deal", "op": "won", "amount": "1000", "currency": "EUR"}, {"Bob"}),
    ({"type": "deal", "op": "won", "amount": "6000", "currency": "EUR"}, set()),
    ({"type": "deal", "op": "lost"}, {"Eve"}),
    # Orders (cancelled ones never count)
    ({"type": "order", "op": "within", "days": 30}, {"Ana"}),
    ({"type": "order", "op": "not_within", "days": 30}, {"Bob", "Cleo", "Dan", "Eve"}),
    ({"type": "order", "op": "total_gte", "amount": "1200", "currency": "EUR"}, {"Ana", "Bob"}),
    ({"type": "order", "op": "total_gte", "amount": "1500", "currency": "EUR"}, {"Bob"}),
    ({"type": "order", "op": "total_lt", "amount": "1500", "currency": "EUR"}, {"Ana", "Cleo", "Dan", "Eve"}),
    ({"type": "order", "op": "count_gte", "count": 2}, {"Ana"}),
    ({"type": "order", "op": "count_lt", "count": 1}, {"Cleo", "Dan", "Eve"}),
    # Leads the contact was converted from
    ({"type": "lead", "op": "any"}, {"Dan", "Eve"}),
    ({"type": "lead", "op": "source_in", "sources": ["website"]}, {"Eve"}),
    # Fields of the lead the contact was converted from (contacts never converted match none)
    ({"type": "lead_field", "field": "source", "op": "eq", "value": "website"}, {"Eve"}),
    ({"type": "lead_field", "field": "source", "op": "ne", "value": "website"}, {"Dan"}),
]


def _resolve(value: Any, people: People) -> Any:
    if isinstance(value, list):
        return [_resolve(item, people) for item in value]
    if value == "{vip}":
        return people.vip.pk
    if value == "{cold}":
        return people.cold.pk
    return value


@pytest.mark.parametrize(
    ("condition", "expected"), CASES, ids=[f"{c['type']}-{c['op']}-{i}" for i, (c, _e) in enumerate(CASES)]
)
def test_each_operator_picks_exactly_its_contacts(
    alpha: TenantFixture, people: People, condition: dict[str, Any], expected: set[str]
) -> None:
    condition = {key: _resolve(value, people) for key, value in condition.items()}
    with alpha.active():
        assert _names(_one(condition)) == expected


def test_groups_nest_and_combine(alpha: TenantFixture, people: People) -> None:
    rules = {
        "match": "any",
        "conditions": [
            {"type": "lead", "op": "source_in", "sources": ["event"]},
            {
                "match": "all",
                "conditions": [
                    {"type": "tag", "op": "any", "tags": [people.vip.pk]},
                    {"type": "order", "op": "within", "days": 30},
                ],
            },
        ],
    }
    with alpha.active():
        assert _names(rules) == {"Dan", "Ana"}
        assert _names({"match": "all", "conditions": []}) == {"Ana", "Bob", "Cleo", "Dan", "Eve"}
        assert condition_types(rules) == {"lead", "tag", "order"}
        assert is_time_relative(rules)
        assert not is_time_relative(_one({"type": "deal", "op": "open"}))


def test_custom_fields_of_contacts_and_companies(alpha: TenantFixture, people: People) -> None:
    with alpha.active():
        create_definition(entity="contact", label="Score", key="score", field_type="number", by=None)
        create_definition(
            entity="company", label="Tier", key="tier", field_type="single_select", by=None,
            options=[{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}],
        )  # fmt: skip
        for contact, score in ((people.ana, 10), (people.bob, 70), (people.eve, 95)):
            contact.custom = {"score": score}
            contact.save(update_fields=["custom"])
        acme = people.ana.company
        acme.custom = {"tier": "gold"}
        acme.save(update_fields=["custom"])

        assert _names(_one({"type": "contact", "field": "custom.score", "op": "gte", "value": "70"})) == {"Bob", "Eve"}
        assert _names(_one({"type": "contact", "field": "custom.score", "op": "ne", "value": 70})) == {
            "Ana", "Cleo", "Dan", "Eve"
        }  # fmt: skip
        assert _names(_one({"type": "contact", "field": "custom.score", "op": "is_empty"})) == {"Cleo", "Dan"}
        assert _names(_one({"type": "company", "field": "custom.tier", "op": "eq", "value": "gold"})) == {"Ana", "Dan"}
        with pytest.raises(ValidationError) as wrong:
            clean_rules(_one({"type": "company", "field": "custom.tier", "op": "eq", "value": "bronze"}))
        assert set(wrong.value.message_dict) == {"rules.conditions[0].value"}


def test_custom_fields_of_the_lead_a_contact_was_converted_from(alpha: TenantFixture, people: People) -> None:
    from modules.sales.models import Lead

    with alpha.active():
        create_definition(entity="lead", label="Budget", key="budget", field_type="number", by=None)
        Lead.objects.filter(converted_contact=people.eve).update(custom={"budget": 900})
        Lead.objects.filter(converted_contact=people.dan).update(custom={"budget": 50})
        Lead.objects.filter(converted_contact__isnull=True).update(custom={"budget": 5000})
        budget = {"type": "lead_field", "field": "custom.budget", "op": "gte", "value": "100"}

        assert _names(_one(budget)) == {"Eve"}
        assert _names(_one({**budget, "op": "is_not_empty"})) == {"Dan", "Eve"}
        assert _names({"match": "any", "conditions": [budget, {"type": "contact", "field": "city", "op": "eq",
                                                                "value": "Berlin"}]}) == {"Bob", "Eve"}  # fmt: skip
        assert condition_types(_one(budget)) == {"lead"}  # rebuilt when a lead moves, as the lead condition
        with pytest.raises(ValidationError) as wrong:
            clean_rules({"match": "all", "conditions": [
                {"type": "lead_field", "field": "shoe_size", "op": "eq", "value": 1},
                {**budget, "value": "lots"},
            ]})  # fmt: skip
        assert set(wrong.value.message_dict) == {"rules.conditions[0].field", "rules.conditions[1].value"}


def test_a_segment_is_one_query(alpha: TenantFixture, people: People, django_assert_num_queries: Any) -> None:
    rules = {
        "match": "all",
        "conditions": [
            {"type": "contact", "field": "city", "op": "eq", "value": "Paris"},
            {"type": "company", "field": "employee_count", "op": "gte", "value": 10},
            {"type": "tag", "op": "any", "tags": [people.vip.pk]},
            {"type": "order", "op": "total_gte", "amount": "100", "currency": "EUR"},
            {"type": "activity", "op": "has", "days": 30},
            {"type": "deal", "op": "open"},
            {"type": "lead", "op": "any"},
            {"type": "lead_field", "field": "source", "op": "eq", "value": "website"},
        ],
    }
    with alpha.active():
        contacts = matching_contacts(clean_rules(rules))
        with django_assert_num_queries(1):
            list(contacts.values_list("pk", flat=True))


def test_wrong_rules_name_every_wrong_part(alpha: TenantFixture) -> None:
    rules = {
        "match": "sometimes",
        "conditions": [
            {"type": "contact", "field": "shoe_size", "op": "eq", "value": 1},
            {"type": "contact", "field": "city", "op": "gt", "value": "x"},
            {"type": "contact", "field": "created_at", "op": "in_last_days", "value": "soon"},
            {"type": "order", "op": "total_gte", "amount": "-3"},
            {"type": "deal", "op": "won", "amount": "10"},
            {"type": "tag", "op": "any", "tags": [999999]},
            {"type": "weather"},
            {"match": "any", "conditions": [{"match": "any", "conditions": [{"match": "all", "conditions": []}]}]},
            {"type": "contact", "field": "city", "op": "eq", "value": "nul\x00byte"},
        ],
    }
    with alpha.active(), pytest.raises(ValidationError) as wrong:
        clean_rules(rules)
    assert set(wrong.value.message_dict) == {
        "rules.match",
        "rules.conditions[0].field",
        "rules.conditions[1].op",
        "rules.conditions[2].value",
        "rules.conditions[3].amount",
        "rules.conditions[3].currency",
        "rules.conditions[4].currency",
        "rules.conditions[5].tags",
        "rules.conditions[6].type",
        "rules.conditions[7].conditions[0].conditions[0]",
        "rules.conditions[8].value",
    }


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
_keys = st.sampled_from(["type", "op", "field", "value", "match", "conditions", "days", "tags", "amount", "count"])
_condition = st.dictionaries(_keys, _json | st.sampled_from(["contact", "company", "order", "tag", "eq", "in", "all"]))


@settings(derandomize=True, max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=_json | st.fixed_dictionaries({"match": _json, "conditions": st.lists(_condition, max_size=4)}))
def test_any_json_is_cleaned_or_refused_with_errors(alpha: TenantFixture, raw: Any) -> None:
    with alpha.active():
        try:
            cleaned = clean_rules(raw)
        except ValidationError as error:
            refused: ValidationError | None = error
        else:
            refused = None
            list(matching_contacts(cleaned).values_list("pk", flat=True)[:1])
    if refused is not None:
        assert all(key.startswith("rules") for key in refused.message_dict)
