"""The activity list, detail, forms and quick actions: rules, permissions, visibility, query counts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.activities import FollowUp, complete_activity, create_activity
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from tests.activities.conftest import VIEWER_EMAIL
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def due_marks(response) -> dict[str, str]:
    """Each listed activity's subject and its Due cell's mark (overdue, today, upcoming)."""
    return {row.subject: row.list_cells[1].value for row in response.context["rows"]}


def test_the_list_shows_my_open_activities_by_due_date_marked_overdue_today_upcoming(alpha: TenantFixture):
    admin = alpha.user()
    now = timezone.now()
    with alpha.active():
        ActivityFactory(subject="Late call", assignee=admin, due_at=now - timedelta(days=2))
        ActivityFactory(subject="Soon task", assignee=admin, due_at=now + timedelta(minutes=1))
        ActivityFactory(subject="Next week", assignee=admin, due_at=now + timedelta(days=7))
        ActivityFactory(subject="Finished", assignee=admin, status=ActivityStatus.DONE, due_at=now)
        ActivityFactory(subject="Rita's call", assignee=alpha.user(REP_EMAIL), due_at=now)

    response = alpha.client().get("/activities/")

    assert response.status_code == 200
    marks = due_marks(response)
    assert [row.subject for row in response.context["rows"]] == ["Late call", "Soon task", "Next week"]
    assert (marks["Late call"], marks["Next week"]) == ("overdue", "upcoming")
    # "today" holds what is due later today; close to midnight UTC that is tomorrow already
    assert marks["Soon task"] in ("today", "upcoming")
    assert 'data-due="overdue"' in response.content.decode()
    assert "Finished" not in response.content.decode()
    assert "Rita&#x27;s call" not in response.content.decode()


def test_filters_narrow_the_list_by_kind_status_assignee_and_linked_record(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory()
        ActivityFactory(subject="Call Acme", kind="call", assignee=rep, company=company)
        ActivityFactory(subject="Task Acme", kind="task", assignee=rep, company=company)
        ActivityFactory(subject="Call other", kind="call", assignee=admin)
        ActivityFactory(subject="Done call", kind="call", assignee=rep, company=company, status="done")

    client = alpha.client()
    by_kind = client.get("/activities/", {"kind": "call", "assignee": "all", "company": company.pk})
    done = client.get("/activities/", {"status": "done", "assignee": str(rep.pk)})

    assert due_marks(by_kind) == {"Call Acme": "upcoming"}
    assert [a.subject for a in done.context["rows"]] == ["Done call"]


def test_an_unknown_filter_value_is_a_400_naming_the_field(alpha: TenantFixture):
    response = alpha.client().get("/activities/", {"kind": "party", "due_from": "yesterday"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"kind", "due_from"}


def test_the_list_costs_the_same_queries_for_5_and_50_activities(alpha: TenantFixture, django_assert_max_num_queries):
    admin = alpha.user()
    client = alpha.client()
    with alpha.active():
        company, contact = CompanyFactory(), ContactFactory()
        deal = DealFactory()
        ActivityFactory.create_batch(5, assignee=admin, company=company, contact=contact, deal=deal)

    with django_assert_max_num_queries(9):
        small = client.get("/activities/", {"assignee": "all"})
    with alpha.active():
        ActivityFactory.create_batch(45, assignee=admin, company=company, contact=contact, deal=deal)
    with django_assert_max_num_queries(9):
        large = client.get("/activities/", {"assignee": "all"})

    assert list(due_marks(small).values()) == ["upcoming"] * 5
    assert list(due_marks(large).values()) == ["upcoming"] * 50


def test_a_rep_sees_only_their_own_activities(alpha: TenantFixture):
    with alpha.active():
        admins = ActivityFactory(subject="Admin's secret", assignee=alpha.user())
        ActivityFactory(subject="Rita's task", assignee=alpha.user(REP_EMAIL))
    rep = alpha.client(REP_EMAIL)

    listed = rep.get("/activities/", {"assignee": "all"})
    detail = rep.get(f"/activities/{admins.pk}/")
    edit = rep.post(f"/activities/{admins.pk}/edit/", {"kind": "task", "subject": "Mine now", "priority": "normal"})

    assert due_marks(listed) == {"Rita's task": "upcoming"}
    assert (detail.status_code, edit.status_code) == (404, 404)
    with alpha.active():
        assert Activity.objects.get(pk=admins.pk).subject == "Admin's secret"


def test_the_create_form_is_prefilled_from_the_query_string(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Prefill Ltd")

    response = alpha.client().get("/activities/new/", {"company": company.pk, "kind": "meeting"})

    assert response.status_code == 200
    assert response.context["form"]["kind"].value() == "meeting"
    assert response.context["linked"] == {"company": company}
    assert "Prefill Ltd" in response.content.decode()


def test_creating_a_meeting_stores_it_in_the_users_time_zone_with_its_reminder(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        admin.time_zone = "Europe/Bucharest"
        admin.save(update_fields=["time_zone"])
        contact = ContactFactory()

    response = alpha.client().post(
        "/activities/new/",
        {
            "kind": "meeting", "subject": "Kick-off", "body": "Agenda", "due_at": "2030-03-04T10:00",
            "ends_at": "2030-03-04T11:30", "location": "Office", "priority": "high", "assignee": admin.pk,
            "reminder": "15", "contact": contact.pk,
        },
    )  # fmt: skip

    with alpha.active():
        meeting = Activity.objects.get(subject="Kick-off")
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{meeting.pk}/"
    assert meeting.due_at == datetime(2030, 3, 4, 8, 0, tzinfo=UTC)  # 10:00 in Bucharest (UTC+2)
    assert meeting.ends_at == datetime(2030, 3, 4, 9, 30, tzinfo=UTC)
    assert meeting.remind_at == datetime(2030, 3, 4, 7, 45, tzinfo=UTC)
    assert (meeting.kind, meeting.priority, meeting.contact, meeting.created_by) == ("meeting", "high", contact, admin)
    edit_page = alpha.client().get(f"/activities/{meeting.pk}/edit/").content.decode()
    assert 'value="2030-03-04T10:00"' in edit_page  # shown again in Bucharest time
    assert '<option value="15" selected>' in edit_page


def test_an_end_before_the_start_is_an_error_on_ends_at_and_nothing_is_written(alpha: TenantFixture):
    admin = alpha.user()
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(
        "/activities/new/",
        {"kind": "meeting", "subject": "Backwards", "due_at": "2030-03-04T10:00", "ends_at": "2030-03-04T09:00",
         "priority": "normal", "assignee": admin.pk},
    )  # fmt: skip

    assert response.status_code == 400
    assert response.context["form"].errors == {"ends_at": ["The end must not be before the start."]}
    assert 'aria-invalid="true"' in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_missing_subject_and_a_bad_date_are_named(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/activities/new/", {"kind": "call", "subject": "", "due_at": "soon"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"subject", "due_at", "priority", "assignee"}
    assert schema_snapshot(alpha.tenant) == before


def test_editing_changes_the_activity_and_writes_its_history(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        task = ActivityFactory(subject="Old subject", assignee=admin)

    response = alpha.client().post(
        f"/activities/{task.pk}/edit/",
        {
            "kind": "call",
            "subject": "New subject",
            "priority": "low",
            "assignee": admin.pk,
            "due_at": "2030-01-01T09:00",
        },
    )

    assert response.status_code == 302
    with alpha.active():
        task.refresh_from_db()
        assert (task.kind, task.subject, task.priority) == ("call", "New subject", "low")
        assert TimelineEntry.objects.filter(activity=task, kind=TimelineKind.UPDATED).count() == 1


def test_completing_with_a_follow_up_links_both_and_writes_the_timeline(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory()
        call = create_activity(by=admin, kind="call", subject="Discovery call", company=company)

    response = alpha.client().post(
        f"/activities/{call.pk}/complete/",
        {"outcome": "successful", "outcome_note": "Keen", "follow_up": "on", "follow_up_kind": "meeting",
         "follow_up_subject": "Demo", "follow_up_due": "2030-05-06T14:00"},
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == f"/activities/{call.pk}/"
    with alpha.active():
        call.refresh_from_db()
        follow_up = Activity.objects.get(origin=call)
        assert (call.status, call.outcome, call.outcome_note) == ("done", "successful", "Keen")
        assert (follow_up.kind, follow_up.subject, follow_up.company, follow_up.assignee) == (
            "meeting", "Demo", company, admin,
        )  # fmt: skip
        assert follow_up.due_at == datetime(2030, 5, 6, 14, 0, tzinfo=UTC)
        events = TimelineEntry.objects.filter(company=company, kind=TimelineKind.ACTIVITY)
        assert sorted(events.values_list("activity__subject", "data__event")) == [
            ("Demo", "created"), ("Discovery call", "completed"),
        ]  # fmt: skip  # one entry per activity, moved to its latest step
    detail = alpha.client().get(f"/activities/{follow_up.pk}/")
    assert [step.subject for step in detail.context["chain"]] == ["Discovery call", "Demo"]


def test_a_follow_up_without_a_subject_is_refused_and_the_activity_stays_open(alpha: TenantFixture):
    with alpha.active():
        call = ActivityFactory(assignee=alpha.user())
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/activities/{call.pk}/complete/", {"follow_up": "on", "follow_up_kind": "call"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"follow_up_subject": ["Give the follow-up a subject."]}
    assert schema_snapshot(alpha.tenant) == before


def test_a_done_activity_cannot_be_completed_again(alpha: TenantFixture):
    with alpha.active():
        call = ActivityFactory(assignee=alpha.user())
        complete_activity(call, by=None)
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/activities/{call.pk}/complete/", {"outcome": "successful"})

    assert response.status_code == 400
    assert schema_snapshot(alpha.tenant) == before


def test_opening_the_completion_of_a_finished_activity_leads_back_to_it(alpha: TenantFixture):
    with alpha.active():
        call = ActivityFactory(assignee=alpha.user())
        complete_activity(call, by=None)

    response = alpha.client().get(f"/activities/{call.pk}/complete/", follow=True)

    assert response.redirect_chain == [(f"/activities/{call.pk}/", 302)]
    assert "Only an open activity can be completed." in response.content.decode()


def test_the_detail_shows_the_chain_and_links_to_the_records(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        first = create_activity(by=admin, kind="call", subject="First touch")
        _done, second = complete_activity(first, by=admin, follow_up=FollowUp(kind="email", subject="Send deck"))
        assert second is not None
        _done, third = complete_activity(second, by=admin, follow_up=FollowUp(kind="meeting", subject="Demo day"))

    response = alpha.client().get(f"/activities/{second.pk}/")

    assert response.status_code == 200
    assert [step.subject for step in response.context["chain"]] == ["First touch", "Send deck", "Demo day"]
    page = response.content.decode()
    assert f'href="/activities/{first.pk}/"' in page
    assert third is not None
    assert f'href="/activities/{third.pk}/"' in page


def test_quick_complete_from_the_list_swaps_the_row(alpha: TenantFixture):
    with alpha.active():
        task = ActivityFactory(subject="Tick me", assignee=alpha.user())

    response = alpha.client().post(f"/activities/{task.pk}/done/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert re.search(rf'<tr id="activity-{task.pk}"[^>]*class="table-success"', response.content.decode())
    with alpha.active():
        assert Activity.objects.get(pk=task.pk).status == ActivityStatus.DONE


def test_cancel_and_delete(alpha: TenantFixture):
    with alpha.active():
        cancelled, deleted = ActivityFactory(assignee=alpha.user()), ActivityFactory(assignee=alpha.user())
    client = alpha.client()

    cancel = client.post(f"/activities/{cancelled.pk}/cancel/")
    delete = client.post(f"/activities/{deleted.pk}/delete/")

    assert (cancel.status_code, delete.status_code) == (302, 302)
    with alpha.active():
        assert Activity.objects.get(pk=cancelled.pk).status == ActivityStatus.CANCELLED
        assert not Activity.objects.filter(pk=deleted.pk).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/activities/new/"),
        ("post", "/activities/new/"),
        ("get", "/activities/{pk}/edit/"),
        ("post", "/activities/{pk}/complete/"),
        ("post", "/activities/{pk}/done/"),
        ("post", "/activities/{pk}/cancel/"),
        ("post", "/activities/{pk}/delete/"),
        ("post", "/activities/{pk}/reschedule/"),
        ("post", "/calendar/import/"),
    ],
)
def test_a_read_only_user_cannot_write(alpha: TenantFixture, viewer, method: str, path: str):
    with alpha.active():
        task = ActivityFactory(assignee=alpha.user())
    client = alpha.client(VIEWER_EMAIL)
    before = schema_snapshot(alpha.tenant)

    response = getattr(client, method)(path.format(pk=task.pk), {"subject": "x", "start": "2030-01-01"})

    assert response.status_code == 403
    assert "Your role does not include" in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_read_only_user_reads_the_list_and_detail_without_write_buttons(alpha: TenantFixture, viewer):
    with alpha.active():
        task = ActivityFactory(subject="Look only", assignee=alpha.user())
    client = alpha.client(VIEWER_EMAIL)

    listed = client.get("/activities/", {"assignee": "all"})
    detail = client.get(f"/activities/{task.pk}/")

    assert (listed.status_code, detail.status_code) == (200, 200)
    assert "quick-complete" not in listed.content.decode()
    assert f"/activities/{task.pk}/edit/" not in detail.content.decode()


def test_a_sales_rep_cannot_delete(alpha: TenantFixture):
    with alpha.active():
        task = ActivityFactory(assignee=alpha.user(REP_EMAIL))

    response = alpha.client(REP_EMAIL).post(f"/activities/{task.pk}/delete/")

    assert response.status_code == 403
    with alpha.active():
        assert Activity.objects.filter(pk=task.pk).exists()


@pytest.mark.parametrize("path", ["/activities/", "/activities/new/", "/calendar/", "/notifications/"])
def test_anonymous_visitors_are_sent_to_sign_in(alpha: TenantFixture, path: str):
    response = alpha.client(email=None).get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_another_tenant_cannot_reach_an_activity_by_id(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        task = ActivityFactory(subject="Alpha only", assignee=alpha.user())
    pk = task.pk
    with beta.active():
        Activity.objects.filter(pk=pk).delete()  # the id exists only in alpha

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/activities/{pk}/", {}),
            ("get", f"/activities/{pk}/edit/", {}),
            ("post", f"/activities/{pk}/edit/", {"kind": "task", "subject": "Stolen", "priority": "normal"}),
            ("get", f"/activities/{pk}/complete/", {}),
            ("post", f"/activities/{pk}/complete/", {"outcome": "successful"}),
            ("post", f"/activities/{pk}/done/", {}),
            ("post", f"/activities/{pk}/cancel/", {}),
            ("post", f"/activities/{pk}/delete/", {}),
            ("post", f"/activities/{pk}/reschedule/", {"start": "2030-01-01T10:00:00Z"}),
        ],
    )
