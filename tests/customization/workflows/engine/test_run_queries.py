"""What runs cost in queries: starting the runs of a batch of events and running a batch of runs
read and write their bookkeeping once for all, so each further event or run costs only its own
rows, and a step's bookkeeping is a fixed number of queries besides its action's."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.events.models import DomainEvent
from customization.workflows.consumer import start_workflow_runs
from customization.workflows.engine.runner import execute_runs
from customization.workflows.models import WorkflowRun
from modules.sales.services.deals import create_deal
from tests.customization.workflows.engine.conftest import make_rule
from tests.tenancy import TenantFixture

FOLLOW_UP = {"type": "create_activity", "kind": "task", "subject": "Call {{ record.name }}", "due_in": {"days": 1}}
# Per run with one step, besides the action's own queries: the record for the conditions, the
# attempt and lease in one statement, the run's lock, the record again inside the step's
# transaction, the step's result and the run's progress: six, in two transactions (a savepoint
# pair each here, inside the test's transaction).
BOOKKEEPING_PER_RUN = 10
# Per further step of a run: its attempt, the lock, the record, its result and the run's progress,
# in two transactions.
BOOKKEEPING_PER_STEP = 9


def _events(count: int) -> list[DomainEvent]:
    for index in range(count):
        create_deal(by=None, name=f"Query deal {index}")
    return list(DomainEvent.objects.filter(type="deal.created").order_by("-id")[:count])


def _queries(function: Any, *args: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        function(*args)
    return len(captured.captured_queries)


def test_starting_the_runs_of_more_events_costs_no_more_queries(alpha: TenantFixture) -> None:
    with alpha.active():
        make_rule(actions=[FOLLOW_UP], name="First")
        make_rule(actions=[FOLLOW_UP], name="Second")
        one, five = _events(1), _events(5)

        assert _queries(start_workflow_runs, one) == _queries(start_workflow_runs, five)
        assert WorkflowRun.objects.count() == 12


def test_a_run_costs_a_fixed_bookkeeping_beside_its_actions(alpha: TenantFixture) -> None:
    with alpha.active():
        single = make_rule(actions=[FOLLOW_UP], name="One action")
        double = make_rule(actions=[FOLLOW_UP, FOLLOW_UP], name="Two actions", is_active=False)
        start_workflow_runs(_events(4))
        runs = list(WorkflowRun.objects.filter(rule=single).order_by("pk").values_list("pk", flat=True))
        action = _action_queries()

        first = _queries(execute_runs, runs[:1])
        three = _queries(execute_runs, runs[1:])

        per_run = (three - first) // 2
        assert three - first == 2 * per_run
        assert per_run == BOOKKEEPING_PER_RUN + action
        assert set(WorkflowRun.objects.filter(rule=single).values_list("status", flat=True)) == {"succeeded"}

        double.is_active, single.is_active = True, False
        double.save(update_fields=["is_active"])
        single.save(update_fields=["is_active"])
        start_workflow_runs(_events(2))
        two_steps = list(WorkflowRun.objects.filter(rule=double).order_by("pk").values_list("pk", flat=True))

        assert _queries(execute_runs, two_steps[1:]) - first == BOOKKEEPING_PER_STEP + action


def _action_queries() -> int:
    """What the follow-up action itself costs, measured on a deal of its own (a savepoint pair
    around it, as the step's transaction has none in production)."""
    from customization.workflows.engine.actions import execute
    from customization.workflows.engine.context import StepContext
    from modules.sales.models import Deal

    deal = Deal.objects.order_by("pk").first()
    assert deal is not None
    rule = make_rule(actions=[FOLLOW_UP], name="Measure", is_active=False)
    context = StepContext(rule=rule, record=deal, entity="deal", event=None, position=0, step_key="measure")
    return _queries(execute, FOLLOW_UP, context)
