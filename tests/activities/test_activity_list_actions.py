"""The activity list on the list framework: localized due filters, saved views, columns and the
bulk actions (assign, mark done, move by days, edit priority, delete), all or nothing through the
services, within the assignee-based visibility and the role's permissions, never across tenants."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.contacts.models import SavedView
from tests.factories import ActivityFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke, schema_snapshot

BULK = "/activities/bulk/"


def test_selected_activities_are_assigned_done_moved_and_deleted_through_the_services(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    due = timezone.now() + timedelta(days=3)
    with alpha.active():
        first, second, untouched = (ActivityFactory(subject=s, assignee=admin, due_at=due) for s in ("A", "B", "C"))
    client = alpha.client()

    assigned = client.post(BULK, {"action": "assign", "assignee": rep.pk, "ids": [first.pk, second.pk]})
    moved = client.post(BULK, {"action": "reschedule", "reschedule_days": "-2", "ids": [first.pk]})
    done = client.post(BULK, {"action": "complete", "ids": [first.pk, second.pk]})
    edited = client.post(BULK, {"action": "edit:priority", "edit_priority": "high", "ids": [untouched.pk]})

    assert {assigned.status_code, moved.status_code, done.status_code, edited.status_code} == {302}
    with alpha.active():
        rows = {a.subject: a for a in Activity.objects.filter(pk__in=[first.pk, second.pk, untouched.pk])}
    assert (rows["A"].assignee_id, rows["B"].assignee_id, rows["C"].assignee_id) == (rep.pk, rep.pk, admin.pk)
    assert rows["A"].due_at == due - timedelta(days=2)
    assert rows["B"].due_at == due
    assert (rows["A"].status, rows["B"].status, rows["C"].status) == ("done", "done", "open")
    assert rows["A"].completed_by_id == admin.pk
    assert rows["B"].completed_at is not None
    assert rows["C"].priority == "high"

    client.post(BULK, {"action": "delete", "ids": [untouched.pk]})
    with alpha.active():
        assert not Activity.objects.filter(pk=untouched.pk).exists()


def test_one_refusing_activity_changes_none_and_is_named(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        open_one = ActivityFactory(subject="Still open", assignee=admin)
        finished = ActivityFactory(subject="Already done", assignee=admin, status=ActivityStatus.DONE)
        undated = ActivityFactory(subject="Someday", assignee=admin, due_at=None)
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    done = client.post(BULK, {"action": "complete", "ids": [open_one.pk, finished.pk]}, follow=True)
    moved = client.post(BULK, {"action": "reschedule", "reschedule_days": "1", "ids": [open_one.pk, undated.pk]},
                        follow=True)  # fmt: skip
    zero = client.post(BULK, {"action": "reschedule", "reschedule_days": "0", "ids": [open_one.pk]}, follow=True)

    assert "Nothing was changed" in done.content.decode()
    assert "Already done:" in done.content.decode()
    assert "Still open:" not in done.content.decode()
    assert "Someday:" in moved.content.decode()
    assert "Move by at least one day." in zero.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_rep_acts_only_on_activities_assigned_within_their_visibility(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        mine, theirs = ActivityFactory(assignee=rep), ActivityFactory(assignee=admin)
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    response = client.post(BULK, {"action": "complete", "ids": [mine.pk, theirs.pk]})
    to_hidden = client.post(BULK, {"action": "assign", "assignee": admin.pk, "ids": [mine.pk]}, follow=True)

    assert response.status_code == 404
    assert "Assigned to:" in to_hidden.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_role_without_change_or_delete_cannot_run_them(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        row = ActivityFactory(assignee=rep)
    client = alpha.client(REP_EMAIL)
    revoke(alpha, "sales_rep", "activities.delete")
    before = schema_snapshot(alpha.tenant)

    no_delete = client.post(BULK, {"action": "delete", "ids": [row.pk]})
    page = client.get("/activities/").content.decode()

    assert no_delete.status_code == 403
    assert 'value="complete"' in page
    assert 'value="delete"' not in page
    assert schema_snapshot(alpha.tenant) == before

    revoke(alpha, "sales_rep", "activities.change")
    before = schema_snapshot(alpha.tenant)
    no_change = client.post(BULK, {"action": "complete", "ids": [row.pk]})

    assert no_change.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_the_due_filters_read_the_readers_date_format(alpha: TenantFixture):
    admin = alpha.user()
    now = timezone.localtime()
    with alpha.active():
        ActivityFactory(subject="Soon", assignee=admin, due_at=now + timedelta(days=1))
        ActivityFactory(subject="Later", assignee=admin, due_at=now + timedelta(days=40))
    until = (now + timedelta(days=10)).date()
    client = alpha.client()
    client.cookies["django_language"] = "ro"

    page = client.get("/activities/", {"due_to": until.strftime("%d.%m.%Y")})

    assert page.status_code == 200
    assert [row.subject for row in page.context["rows"]] == ["Soon"]
    html = page.content.decode()
    assert 'name="due_to"' in html
    assert 'type="date"' not in html


def test_a_saved_view_keeps_filters_and_columns_and_is_personal_unless_shared(alpha: TenantFixture):
    client = alpha.client()
    saved = client.post(
        "/activities/views/", {"name": "Done calls", "query": "status=done&kind=call&columns=subject,status"}
    )

    with alpha.active():
        view = SavedView.objects.get(entity="activity", name="Done calls")
    opened = client.get(f"/activities/?view={view.pk}")
    rep_opens = alpha.client(REP_EMAIL).get(f"/activities/?view={view.pk}")

    assert saved.status_code == 302
    assert (view.query, view.columns) == ({"status": "done", "kind": "call"}, ["subject", "status"])
    assert "status=done" in opened["Location"]
    assert "columns=subject%2Cstatus" in opened["Location"]
    assert rep_opens.status_code == 404


def test_another_tenant_cannot_act_on_activities_or_views(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        row = ActivityFactory(assignee=alpha.user())
        view = SavedView.objects.create(owner=alpha.user(), entity="activity", name="Alpha", is_shared=True)

    assert_cross_tenant_requests_fail(alpha, beta, [
        ("post", BULK, {"action": "complete", "ids": [row.pk]}),
        ("post", BULK, {"action": "delete", "ids": [row.pk]}),
        ("get", f"/activities/?view={view.pk}", {}),
        ("post", f"/activities/views/{view.pk}/delete/", {}),
    ])  # fmt: skip
