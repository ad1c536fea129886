"""REST /api/v1/activities/: CRUD through the services, complete with a follow-up, cancel, filters,
visibility by assignee, permissions, tenant isolation and query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from modules.activities.models import Activity
from modules.contacts.models import TimelineEntry
from tests.api.helpers import PROBLEM_BASE
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def test_creating_an_activity_on_a_contact_links_their_company(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)
        contact = ContactFactory(owner=rep, company=company)
    due = timezone.now() + timedelta(days=2)

    response = post(
        api_client(alpha, REP_EMAIL),
        "/api/v1/activities/",
        {"kind": "call", "subject": "Discovery call", "contact": contact.pk, "due_at": due.isoformat()},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["assignee"] == {"id": rep.pk, "email": REP_EMAIL, "full_name": "Rita Rep"}
    assert body["company"] == {"id": company.pk, "name": company.name}
    assert body["contact"] == {"id": contact.pk, "full_name": contact.full_name}
    assert body["status"] == "open"
    with alpha.active():
        entry = TimelineEntry.objects.get(activity_id=body["id"])
        assert (entry.company_id, entry.contact_id) == (company.pk, contact.pk)


def test_an_activity_ending_before_it_starts_is_a_400_naming_ends_at_and_nothing_is_written(alpha: TenantFixture):
    start = timezone.now() + timedelta(days=1)
    with alpha.active():
        activities = Activity.objects.count()

    response = post(
        api_client(alpha),
        "/api/v1/activities/",
        {
            "kind": "meeting",
            "subject": "Demo",
            "due_at": start.isoformat(),
            "ends_at": (start - timedelta(hours=1)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert field_names(response) == ["ends_at"]
    with alpha.active():
        assert Activity.objects.count() == activities


def test_an_unknown_kind_is_a_400_naming_kind(alpha: TenantFixture):
    response = post(api_client(alpha), "/api/v1/activities/", {"kind": "party", "subject": "Fun"})

    assert response.status_code == 400
    assert field_names(response) == ["kind"]


def test_update_and_delete_an_activity(alpha: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(subject="Old", assignee=alpha.user())
    client = api_client(alpha)

    updated = patch(client, f"/api/v1/activities/{activity.pk}/", {"subject": "New", "priority": "high"})
    status_change = patch(client, f"/api/v1/activities/{activity.pk}/", {"status": "done"})
    deleted = client.delete(f"/api/v1/activities/{activity.pk}/")

    assert updated.status_code == 200
    assert (updated.json()["subject"], updated.json()["priority"]) == ("New", "high")
    assert status_change.status_code == 400
    assert field_names(status_change) == ["status"]
    assert deleted.status_code == 204
    with alpha.active():
        assert not Activity.objects.filter(pk=activity.pk).exists()


def test_completing_with_a_follow_up_plans_the_next_step_linked_to_the_same_records(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        deal = DealFactory(owner=rep)
        activity = ActivityFactory(kind="call", subject="First call", assignee=rep, deal=deal)
    due = timezone.now() + timedelta(days=7)

    response = post(
        api_client(alpha, REP_EMAIL),
        f"/api/v1/activities/{activity.pk}/complete/",
        {
            "outcome": "successful",
            "outcome_note": "Wants a demo",
            "follow_up": {"kind": "meeting", "subject": "Demo", "due_at": due.isoformat()},
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["activity"]["status"], body["activity"]["outcome"]) == ("done", "successful")
    assert body["activity"]["completed_by"]["id"] == rep.pk
    follow_up = body["follow_up"]
    assert (follow_up["kind"], follow_up["subject"], follow_up["status"]) == ("meeting", "Demo", "open")
    assert (follow_up["origin"], follow_up["deal"]["id"], follow_up["assignee"]["id"]) == (activity.pk, deal.pk, rep.pk)
    with alpha.active():
        activity.refresh_from_db()
        assert activity.outcome_note == "Wants a demo"
        assert Activity.objects.get(origin=activity).subject == "Demo"


def test_a_bad_follow_up_is_a_400_naming_it_and_the_activity_stays_open(alpha: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user())
        activities = Activity.objects.count()

    response = post(
        api_client(alpha),
        f"/api/v1/activities/{activity.pk}/complete/",
        {"outcome": "successful", "follow_up": {"kind": "call", "subject": ""}},
    )

    assert response.status_code == 400
    assert field_names(response) == ["follow_up.subject"]
    with alpha.active():
        activity.refresh_from_db()
        assert activity.status == "open"
        assert Activity.objects.count() == activities


def test_completing_twice_is_a_400_naming_status(alpha: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user())
    client = api_client(alpha)

    first = post(client, f"/api/v1/activities/{activity.pk}/complete/", {})
    second = post(client, f"/api/v1/activities/{activity.pk}/complete/", {})

    assert first.status_code == 200
    assert first.json()["follow_up"] is None
    assert second.status_code == 400
    assert field_names(second) == ["status"]


def test_cancel_an_open_activity(alpha: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user())

    response = post(api_client(alpha), f"/api/v1/activities/{activity.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_activities_list_filters(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory()
        ActivityFactory(subject="Call Bob", kind="call", assignee=rep, company=company,
                               due_at=timezone.now() + timedelta(hours=2))  # fmt: skip
        ActivityFactory(subject="Send contract", kind="task", assignee=alpha.user(), status="done",
                        due_at=timezone.now() + timedelta(days=5))  # fmt: skip
    client = api_client(alpha)
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

    def subjects(params: dict[str, str]) -> list[str]:
        response = client.get("/api/v1/activities/", params)
        assert response.status_code == 200, response.content
        return [row["subject"] for row in response.json()["results"]]

    assert subjects({"assignee": str(rep.pk)}) == ["Call Bob"]
    assert subjects({"kind": "task"}) == ["Send contract"]
    assert subjects({"status": "open"}) == ["Call Bob"]
    assert subjects({"company": str(company.pk)}) == ["Call Bob"]
    assert subjects({"due_before": tomorrow}) == ["Call Bob"]
    assert subjects({"due_after": tomorrow}) == ["Send contract"]
    assert subjects({"search": "contract"}) == ["Send contract"]


def test_a_rep_sees_only_activities_assigned_to_them(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        own = ActivityFactory(assignee=rep)
        others = ActivityFactory(assignee=alpha.user())
    client = api_client(alpha, REP_EMAIL)

    listed = client.get("/api/v1/activities/").json()["results"]
    hidden = post(client, f"/api/v1/activities/{others.pk}/complete/", {})

    assert [row["id"] for row in listed] == [own.pk]
    assert hidden.status_code == 404
    with alpha.active():
        others.refresh_from_db()
        assert others.status == "open"


def test_a_rep_cannot_delete_an_activity_and_read_only_cannot_complete(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        activity = ActivityFactory(assignee=rep)
    client = api_client(alpha, REP_EMAIL)

    deleted = client.delete(f"/api/v1/activities/{activity.pk}/")
    with alpha.active():
        from identity.models import Role

        rep.role = Role.objects.get(key="read_only")
        rep.save()
    completed = post(api_client(alpha, REP_EMAIL), f"/api/v1/activities/{activity.pk}/complete/", {})

    assert deleted.status_code == completed.status_code == 403
    assert completed.json()["type"] == f"{PROBLEM_BASE}permission-denied"
    with alpha.active():
        activity.refresh_from_db()
        assert activity.status == "open"


def test_beta_cannot_reach_alphas_activities(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        activity = ActivityFactory(assignee=alpha.user())
    with beta.active():
        assert not Activity.objects.filter(pk=activity.pk).exists()
    base = f"/api/v1/activities/{activity.pk}/"

    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", base, {}),
            ("patch", base, {"subject": "Stolen"}),
            ("delete", base, {}),
            ("post", f"{base}complete/", {"outcome": "successful"}),
            ("post", f"{base}cancel/", {}),
        ],
    )


def test_activities_list_query_count_is_the_same_for_5_and_50_rows(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        company, contact, deal = CompanyFactory(), ContactFactory(), DealFactory()
        links = {"assignee": admin, "company": company, "contact": contact, "deal": deal, "completed_by": admin}
        ActivityFactory.create_batch(5, **links)
    client = api_client(alpha)

    five, _response = queries_for(client, "/api/v1/activities/?page_size=5")
    with alpha.active():
        ActivityFactory.create_batch(45, **links)
    fifty, response = queries_for(client, "/api/v1/activities/?page_size=50")

    assert len(response.json()["results"]) == 50
    assert five == fifty


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("created_at", ["Second", "Third", "First"]),
        ("-created_at", ["First", "Third", "Second"]),
        ("updated_at", ["Third", "First", "Second"]),
        ("-updated_at", ["Second", "First", "Third"]),
    ],
)
def test_activities_order_by_a_whitelisted_field(alpha: TenantFixture, ordering: str, expected: list[str]):
    # Created and updated in an order of their own, neither the order of ids nor each other's.
    days_ago = {"First": (1, 2), "Second": (3, 1), "Third": (2, 3)}  # subject: (created, updated)
    now = timezone.now()
    with alpha.active():
        for subject, (created, updated) in days_ago.items():  # ids in this order
            activity = ActivityFactory(subject=subject, assignee=alpha.user())
            Activity.objects.filter(pk=activity.pk).update(
                created_at=now - timedelta(days=created), updated_at=now - timedelta(days=updated)
            )

    body = api_client(alpha).get(f"/api/v1/activities/?ordering={ordering}").json()

    assert [row["subject"] for row in body["results"]] == expected


def test_without_the_sales_module_an_activity_cannot_link_a_deal(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
        activities = Activity.objects.count()
    alpha.tenant.enabled_modules = []
    alpha.tenant.save(update_fields=["enabled_modules"])  # rolled back with the test

    response = post(api_client(alpha), "/api/v1/activities/", {"kind": "task", "subject": "Chase", "deal": deal.pk})

    assert response.status_code == 400
    assert field_names(response) == ["deal"]
    with alpha.active():
        assert Activity.objects.count() == activities
