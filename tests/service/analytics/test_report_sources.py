"""Cases and case messages in the report builder: their fields (one link away, custom fields),
date buckets on opening and solving, measures, and what each runner may see."""

from __future__ import annotations

from typing import Any

from customization.fields.services import create_definition
from identity.models import User
from modules.analytics.reports.execution import run_report
from modules.analytics.reports.fields import source_fields
from modules.analytics.reports.registry import source_named
from modules.analytics.reports.selectors import access_for, checked
from modules.service.choices import MessageAuthor
from modules.service.models import Case
from modules.service.services.cases import add_message
from tests.service.analytics.conftest import World
from tests.tenancy import TenantFixture


def run(user: User, definition: dict[str, Any], source: str = "cases") -> list[tuple[tuple[str, ...], tuple[Any, ...]]]:
    found, _fields, spec = checked(source, definition, access_for(user))
    return [(row.labels, row.values) for row in run_report(found, spec, user).rows]


def test_both_sources_are_registered_for_the_service_module(alpha: TenantFixture, world: World):
    cases, messages = source_named("cases"), source_named("case_messages")
    assert (cases.module, cases.entity, messages.module) == ("service", "case", "service")  # type: ignore[union-attr]
    with alpha.active():
        fields = source_fields(cases, access_for(world.admin))  # type: ignore[arg-type]
    assert {"status.label", "status.category", "team", "owner", "category", "contact", "company"} <= set(fields)
    assert {"created_at", "first_response_at", "solved_at", "company.industry"} <= set(fields)


def test_cases_by_status_category_and_agent_count_what_each_runner_sees(alpha: TenantFixture, world: World):
    definition = {"group_by": [{"field": "status.category"}], "measures": [{"fn": "count"}]}
    with alpha.active():
        ada = User.objects.select_related("role").get(pk=world.ada.pk)
        as_admin = run(world.admin, definition)
        as_ada = run(ada, definition)

    assert as_admin == [(("New",), (2,)), (("Open",), (1,)), (("Solved",), (2,))]
    # Ada: her two cases and the unassigned one waiting in her queue.
    assert as_ada == [(("New",), (1,)), (("Open",), (1,)), (("Solved",), (1,))]


def test_month_buckets_on_opening_and_solving_and_the_earliest_first_reply(alpha: TenantFixture, world: World):
    opened = {"group_by": [{"field": "created_at", "bucket": "month"}], "measures": [{"fn": "count"}]}
    solved = {
        "filters": [{"field": "solved_at", "op": "isnull", "value": False}],
        "group_by": [{"field": "solved_at", "bucket": "month"}],
        "measures": [{"fn": "count"}, {"fn": "min", "field": "first_response_at"}],
    }
    with alpha.active():
        by_opening = run(world.admin, opened)
        by_solving = run(world.admin, solved)

    assert by_opening == [(("2025-01",), (1,)), (("2025-02",), (4,))]
    assert [(labels, values[0]) for labels, values in by_solving] == [(("2025-02",), 2)]
    assert by_solving[0][1][1] == world.cases["C1"].first_response_at


def test_a_custom_field_and_the_queue_group_cases(alpha: TenantFixture, world: World):
    with alpha.active():
        create_definition(
            by=world.admin, entity="case", key="tier", label="Tier", field_type="single_select",
            options=[{"value": "gold", "label": "Gold"}],
        )  # fmt: skip
        Case.objects.filter(pk=world.cases["C1"].pk).update(custom={"tier": "gold"})
        rows = run(
            world.admin, {"group_by": [{"field": "custom.tier"}, {"field": "team"}], "measures": [{"fn": "count"}]}
        )

    assert rows == [
        (("Gold", "Desk"), (1,)),
        (("(empty)", "Back office"), (1,)),
        (("(empty)", "Desk"), (2,)),
        (("(empty)", "(empty)"), (1,)),
    ]


def test_messages_are_counted_by_kind_over_the_cases_the_runner_sees(alpha: TenantFixture, world: World):
    with alpha.active():
        for name in ("C1", "C4", "C5"):
            add_message(world.cases[name], by=None, author_kind=MessageAuthor.CUSTOMER, body_text="Hello")
        add_message(world.cases["C1"], by=world.ada, author_kind=MessageAuthor.AGENT, kind="note", body_text="Note")
        ada = User.objects.select_related("role").get(pk=world.ada.pk)
        definition = {"group_by": [{"field": "kind"}], "measures": [{"fn": "count"}]}
        as_admin = run(world.admin, definition, "case_messages")
        as_ada = run(ada, definition, "case_messages")

    assert as_admin == [(("Internal note",), (1,)), (("Public reply",), (3,))]
    assert as_ada == [(("Internal note",), (1,)), (("Public reply",), (1,))]


def test_a_group_of_cases_opens_the_case_list_of_exactly_its_cases(alpha: TenantFixture, world: World):
    from modules.analytics.reports.drilldown import DrillDown

    definition = {"group_by": [{"field": "priority"}], "measures": [{"fn": "count"}]}
    with alpha.active():
        source, _fields, spec = checked("cases", definition, access_for(world.admin))
        rows = run_report(source, spec, world.admin).rows
        drill = DrillDown(source, spec)
        urls = {row.labels[0]: drill.url_for(row.keys) for row in rows}

    assert urls["Normal"].endswith("?priority=normal")
    response = alpha.client().get(urls["Normal"])
    assert response.status_code == 200
    assert int(response.context["count"].value) == 2


def test_a_message_reads_its_unassigned_case_in_the_runners_queue(alpha: TenantFixture, world: World):
    with alpha.active():
        for name in ("C2", "C3", "C5"):
            add_message(world.cases[name], by=None, author_kind=MessageAuthor.CUSTOMER, body_text="Hello")
        ada = User.objects.select_related("role").get(pk=world.ada.pk)
        rows = run(ada, {"group_by": [{"field": "case.priority"}], "measures": [{"fn": "count"}]}, "case_messages")

    # C3 has no agent but waits in Ada's queue: its priority reads as for her own C2; C5 is not hers.
    assert sorted(rows) == [(("Normal",), (1,)), (("Urgent",), (1,))]
