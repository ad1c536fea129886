"""Starting a workflow on a report group's records and on customer analyses from the pages: the
choice of workflows, the confirmation with the count, batches with each record once, the result,
visibility, permissions, tenants and bad input."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from customization.workflows import selections
from customization.workflows.models import SelectionRun, WorkflowRun
from customization.workflows.selections import start_next_batch
from modules.activities.models import Activity
from modules.contacts.models import Company
from tests.analytics.acting.conftest import SUBJECT, finish, report_cells, selection_rule
from tests.analytics.customer_value.test_value_pages import rfm_at_risk
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant

BY_INDUSTRY = {"group_by": [{"field": "industry"}]}


def companies(alpha: TenantFixture, *, retail: int = 3, other: int = 2, rep_retail: int = 0) -> list[Company]:
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        made = [CompanyFactory(industry="Retail", owner=admin) for _n in range(retail)]
        made += [CompanyFactory(industry="Retail", owner=rep) for _n in range(rep_retail)]
        made += [CompanyFactory(industry="", owner=admin) for _n in range(other)]
        return made


def cell_of(alpha: TenantFixture, label: str, email: str | None = None) -> tuple[int, str]:
    [(count, cell)] = [
        (count, cell)
        for labels, count, cell in report_cells(alpha, email, "companies", BY_INDUSTRY)
        if labels[0] == label
    ]
    return count, cell


def test_a_report_group_starts_a_workflow_on_each_of_its_records(alpha: TenantFixture):
    made = companies(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
        selection_rule(alpha.user(), entity="deal", name="Deals only")
    count, cell = cell_of(alpha, "Retail")
    client = alpha.client()
    url = f"/analytics/act/?cell={quote(cell)}"

    page = client.get(url)
    body = page.content.decode()

    assert page.status_code == 200
    assert [offered.name for offered in page.context["rules"]] == ["Call at-risk customers"]
    assert "Run “Call at-risk customers” on 3 companies" in body

    response = client.post(url, {"workflow": rule.pk, "expected_count": count})

    with alpha.active():
        selection = SelectionRun.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/analytics/act/{selection.pk}/"
        assert selection.record_ids == sorted(company.pk for company in made[:3])
        assert WorkflowRun.objects.count() == 0  # nothing ran in the request
        finish(selection)
        called = set(Activity.objects.filter(subject=SUBJECT).values_list("company_id", flat=True))
        assert called == {company.pk for company in made[:3]}
    result = client.get(f"/analytics/act/{selection.pk}/")
    assert result.context["outcome"]["succeeded"] == 3
    assert f'href="/settings/workflows/{rule.pk}/runs/"' in result.content.decode()


def test_the_empty_group_is_a_selection_too(alpha: TenantFixture):
    made = companies(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
    count, cell = cell_of(alpha, "(empty)")

    alpha.client().post(f"/analytics/act/?cell={quote(cell)}", {"workflow": rule.pk, "expected_count": count})

    with alpha.active():
        assert SelectionRun.objects.get().record_ids == sorted(company.pk for company in made[3:])


def test_batches_start_each_record_once_even_when_a_batch_is_retried(alpha: TenantFixture, monkeypatch):
    monkeypatch.setattr(selections, "BATCH_SIZE", 2)
    companies(alpha, retail=5, other=0)
    with alpha.active():
        rule = selection_rule(alpha.user())
    count, cell = cell_of(alpha, "Retail")
    alpha.client().post(f"/analytics/act/?cell={quote(cell)}", {"workflow": rule.pk, "expected_count": count})
    with alpha.active():
        selection = SelectionRun.objects.get()
        assert start_next_batch(selection.pk) is True
        # A worker dies after starting the batch, before saving its progress: the batch runs again.
        SelectionRun.objects.filter(pk=selection.pk).update(started=0)
        assert start_next_batch(selection.pk) is True
        assert start_next_batch(selection.pk) is True
        assert start_next_batch(selection.pk) is False
        selection.refresh_from_db()
        assert (selection.status, selection.started, selection.total) == ("started", 5, 5)
        assert WorkflowRun.objects.filter(rule=rule).count() == 5
        assert start_next_batch(selection.pk) is False


def test_a_rep_acts_only_on_the_records_they_may_see(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view", "analytics.run_workflows")
    made = companies(alpha, retail=3, rep_retail=2)
    with alpha.active():
        rule = selection_rule(alpha.user())
    _admin_count, cell = cell_of(alpha, "Retail")
    client = alpha.client(REP_EMAIL)

    page = client.get(f"/analytics/act/?cell={quote(cell)}")
    client.post(f"/analytics/act/?cell={quote(cell)}", {"workflow": rule.pk, "expected_count": 2})

    assert page.context["count"] == 2
    with alpha.active():
        assert SelectionRun.objects.get().record_ids == sorted(company.pk for company in made[3:5])


def test_customers_at_risk_start_a_workflow_on_companies(alpha: TenantFixture):
    at_risk = rfm_at_risk(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
    client = alpha.client()

    page = client.get("/analytics/act/?set=churn&period=12")
    client.post("/analytics/act/?set=churn&period=12&entity=company", {"workflow": rule.pk, "expected_count": 2})

    assert page.context["count"] == 2
    assert (
        'href="/analytics/act/?set=churn&amp;period=12"' in client.get("/analytics/churn/?period=12").content.decode()
    )
    with alpha.active():
        assert SelectionRun.objects.get().record_ids == sorted([at_risk[3].pk, at_risk[4].pk])


def test_an_rfm_segment_and_a_cohort_are_selections(alpha: TenantFixture):
    at_risk = rfm_at_risk(alpha)
    client = alpha.client()

    segment = client.get("/analytics/act/?set=rfm&segment=cant_lose&period=12")
    cohort_month = at_risk[0].orders.order_by("ordered_on").first().ordered_on.strftime("%Y-%m")
    cohort = client.get(f"/analytics/act/?set=cohort&cohort={cohort_month}")

    assert segment.context["selection"].ids["company"] == [at_risk[4].pk]
    assert at_risk[0].pk in cohort.context["selection"].ids["company"]


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"workflow": "other-type", "expected_count": 3}, "workflow"),
        ({"workflow": "event-rule", "expected_count": 3}, "workflow"),
        ({"workflow": "999999999", "expected_count": 3}, "workflow"),
        ({"workflow": "rule", "expected_count": 2}, "expected_count"),
        ({"workflow": "rule", "expected_count": "many"}, "expected_count"),
    ],
)
def test_bad_choices_are_refused_by_name_and_start_nothing(alpha: TenantFixture, post, field):
    companies(alpha)
    with alpha.active():
        rules = {
            "rule": selection_rule(alpha.user()),
            "other-type": selection_rule(alpha.user(), entity="deal", name="Deals"),
        }
        event_rule = selection_rule(alpha.user(), name="Event rule")
        event_rule.trigger = "record_created"
        event_rule.save()
        rules["event-rule"] = event_rule
    _count, cell = cell_of(alpha, "Retail")
    data = {**post, "workflow": rules[post["workflow"]].pk if post["workflow"] in rules else post["workflow"]}

    response = alpha.client().post(f"/analytics/act/?cell={quote(cell)}", data)

    assert response.status_code == 400
    assert field in response.context["errors"]
    with alpha.active():
        assert not SelectionRun.objects.exists()


def test_a_forged_stale_or_oversized_selection_is_refused_by_name(alpha: TenantFixture, monkeypatch):
    companies(alpha, retail=4)
    with alpha.active():
        rule = selection_rule(alpha.user())
    _count, cell = cell_of(alpha, "Retail")
    client = alpha.client()

    forged = client.get(f"/analytics/act/?cell={quote(cell[:-3])}abc")
    unknown_set = client.get("/analytics/act/?set=everything")
    bad_segment = client.get("/analytics/act/?set=rfm&segment=nobody")
    monkeypatch.setattr(selections, "MAX_SELECTION", 3)
    huge = client.post(f"/analytics/act/?cell={quote(cell)}", {"workflow": rule.pk, "expected_count": 4})

    assert (forged.status_code, unknown_set.status_code, bad_segment.status_code) == (400, 400, 400)
    assert "cell:" in forged.content.decode()
    assert "set:" in unknown_set.content.decode()
    assert "segment:" in bad_segment.content.decode()
    assert huge.status_code == 400
    assert "selection" in huge.context["errors"]


def test_the_pages_need_analytics_view_and_the_run_permission(alpha: TenantFixture):
    companies(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
    _count, cell = cell_of(alpha, "Retail")
    url = f"/analytics/act/?cell={quote(cell)}"
    grant(alpha, "sales_rep", "analytics.view")
    rep = alpha.client(REP_EMAIL)

    assert rep.get(url).status_code == 403
    assert rep.post(url, {"workflow": rule.pk, "expected_count": 3}).status_code == 403
    assert "act-link" not in rep.get("/analytics/churn/").content.decode()
    with alpha.active():
        assert not SelectionRun.objects.exists()


def test_a_result_is_its_starters_and_its_tenants_own(alpha: TenantFixture, beta: TenantFixture):
    companies(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
    count, cell = cell_of(alpha, "Retail")
    alpha.client().post(f"/analytics/act/?cell={quote(cell)}", {"workflow": rule.pk, "expected_count": count})
    with alpha.active():
        selection = SelectionRun.objects.get()
    grant(alpha, "sales_rep", "analytics.view", "analytics.run_workflows")

    assert alpha.client(REP_EMAIL).get(f"/analytics/act/{selection.pk}/").status_code == 404
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/analytics/act/{selection.pk}/", {}),
            ("get", f"/analytics/act/?cell={quote(cell)}", {}),
            ("post", f"/analytics/act/?cell={quote(cell)}", {"workflow": rule.pk, "expected_count": count}),
        ],
    )


def test_the_pages_cost_the_same_queries_for_3_and_30_records(alpha: TenantFixture):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with alpha.active():
        rule = selection_rule(alpha.user())
    client = alpha.client()
    counts = []
    for size in (3, 30):
        with alpha.active():
            Company.objects.filter(industry="Retail").update(industry="Old")
        companies(alpha, retail=size, other=0)
        count, cell = cell_of(alpha, "Retail")
        url = f"/analytics/act/?cell={quote(cell)}"
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as start_page:
            assert client.get(url).context["count"] == size
        client.post(url, {"workflow": rule.pk, "expected_count": count})
        with alpha.active():
            selection = SelectionRun.objects.order_by("-pk").first()
            finish(selection)
        with CaptureQueriesContext(connection) as result_page:
            assert client.get(f"/analytics/act/{selection.pk}/").context["outcome"]["succeeded"] == size
        counts.append((len(start_page), len(result_page)))

    assert counts[0] == counts[1]


def test_only_a_selection_whose_batches_stopped_arriving_is_queued_again(alpha: TenantFixture):
    from datetime import timedelta

    from django.utils import timezone

    from customization.workflows.selections import stalled_selection_ids, start_on_selection

    made = companies(alpha, retail=2, other=0)
    with alpha.active():
        rule = selection_rule(alpha.user())
        working, stopped, done = (
            start_on_selection(
                rule=rule, entity="company", record_ids=[company.pk for company in made], by=alpha.user(), label=name
            )
            for name in ("working", "stopped", "done")
        )
        long_ago = timezone.now() - timedelta(hours=1)
        SelectionRun.objects.filter(pk__in=[working.pk, stopped.pk, done.pk]).update(created_at=long_ago)
        SelectionRun.objects.filter(pk__in=[stopped.pk, done.pk]).update(progressed_at=long_ago)
        SelectionRun.objects.filter(pk=done.pk).update(status="started")

        assert stalled_selection_ids() == [stopped.pk]
