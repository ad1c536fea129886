"""GraphQL: activities — the connection with filters, visibility by assignee, create, complete with a follow-up."""

import pytest
from graphql_relay import to_global_id

from modules.activities.models import Activity
from tests.api.helpers import post_graphql
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

ACTIVITIES = """
query Activities($first: Int, $status: ActivityStatus, $kind: ActivityKind, $company: ID, $search: String,
                 $orderBy: ActivityOrderBy) {
  activities(first: $first, status: $status, kind: $kind, company: $company, search: $search, orderBy: $orderBy) {
    totalCount
    edges { node { subject kind status assignee { email } company { name } contact { fullName } deal { name } } }
  }
}
"""
ACTIVITY_CREATE = """
mutation Create($input: ActivityInput!) {
  activityCreate(input: $input) {
    activity { subject kind status dueAt endsAt company { name } contact { fullName } assignee { email } }
    errors { field message code }
  }
}
"""
ACTIVITY_COMPLETE = """
mutation Complete($id: ID!, $outcome: Outcome, $followUp: FollowUpInput) {
  activityComplete(id: $id, outcome: $outcome, outcomeNote: "Talked", followUp: $followUp) {
    activity { status outcome outcomeNote }
    followUp { subject kind status dueAt origin { subject } contact { fullName } assignee { email } }
    errors { field message code }
  }
}
"""


def subjects(body: dict) -> list[str]:
    return [edge["node"]["subject"] for edge in body["data"]["activities"]["edges"]]


def test_activities_filter_by_status_kind_company_and_search(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        acme = CompanyFactory(name="Acme")
        ActivityFactory(subject="Call Ana about pricing", kind="call", company=acme, assignee=admin)
        ActivityFactory(subject="Send the contract", kind="email", company=acme, assignee=admin, status="done")
        ActivityFactory(subject="Plan the offsite", kind="task", assignee=admin)
    client = alpha.client()

    def query(**variables: object) -> list[str]:
        return subjects(post_graphql(client, ACTIVITIES, variables).json())

    assert query(orderBy="CREATED_AT") == ["Call Ana about pricing", "Send the contract", "Plan the offsite"]
    assert query(status="DONE") == ["Send the contract"]
    assert query(kind="CALL") == ["Call Ana about pricing"]
    assert query(company=to_global_id("Company", acme.pk), orderBy="CREATED_AT_DESC") == [
        "Send the contract",
        "Call Ana about pricing",
    ]
    assert query(search="contract") == ["Send the contract"]


def test_a_rep_sees_only_activities_assigned_to_them(alpha: TenantFixture):
    with alpha.active():
        ActivityFactory(subject="Mine", assignee=alpha.user(REP_EMAIL))
        theirs = ActivityFactory(subject="Admin's", assignee=alpha.user())
    client = alpha.client(REP_EMAIL)

    listed = post_graphql(client, ACTIVITIES).json()
    node = post_graphql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("Activity", theirs.pk)})

    assert subjects(listed) == ["Mine"]
    assert node.json() == {"data": {"node": None}}


@pytest.mark.parametrize("rows", [5, 50])
def test_the_activity_list_takes_the_same_number_of_queries_for_5_and_50_rows(
    alpha: TenantFixture, rows: int, django_assert_max_num_queries
):
    admin = alpha.user()
    with alpha.active():
        for _ in range(rows):
            company = CompanyFactory(owner=admin)
            ActivityFactory(
                assignee=admin,
                company=company,
                contact=ContactFactory(owner=admin, company=company),
                deal=DealFactory(owner=admin, company=company),
            )
    client = alpha.client()

    # search_path, domain, search_path, session, user, definitions version, COUNT, page + companies, contacts,
    # leads, deals, origins
    with django_assert_max_num_queries(12):
        body = post_graphql(client, ACTIVITIES, {"first": 50}).json()

    assert len(body["data"]["activities"]["edges"]) == rows
    assert all(edge["node"]["deal"] is not None for edge in body["data"]["activities"]["edges"])


def test_activity_create_links_the_contacts_company_and_assigns_the_creator(alpha: TenantFixture):
    with alpha.active():
        acme = CompanyFactory(name="Acme", owner=alpha.user(REP_EMAIL))
        ana = ContactFactory(first_name="Ana", last_name="Pop", company=acme, owner=alpha.user(REP_EMAIL))

    response = post_graphql(
        alpha.client(REP_EMAIL),
        ACTIVITY_CREATE,
        {"input": {"kind": "MEETING", "subject": "Demo", "dueAt": "2026-03-02T09:00:00+00:00",
                   "endsAt": "2026-03-02T10:00:00+00:00", "contact": to_global_id("Contact", ana.pk)}},
    )  # fmt: skip

    assert response.json()["data"]["activityCreate"] == {
        "activity": {
            "subject": "Demo",
            "kind": "MEETING",
            "status": "OPEN",
            "dueAt": "2026-03-02T09:00:00+00:00",
            "endsAt": "2026-03-02T10:00:00+00:00",
            "company": {"name": "Acme"},
            "contact": {"fullName": "Ana Pop"},
            "assignee": {"email": REP_EMAIL},
        },
        "errors": [],
    }


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"kind": "TASK", "subject": "  "}, {"field": "subject", "message": "An activity needs a subject.",
                                             "code": "INVALID"}),
        ({"kind": "TASK", "subject": "X", "endsAt": "2026-03-02T10:00:00+00:00"},
         {"field": "dueAt", "message": "An activity with an end needs a start.", "code": "INVALID"}),
        ({"subject": "X"}, {"field": "kind", "message": "This field cannot be blank.", "code": "REQUIRED"}),
        ({"kind": "TASK", "subject": "X", "deal": to_global_id("Deal", 999)},
         {"field": "deal", "message": "No such record, or not one you can see.", "code": "NOT_FOUND"}),
    ],
)  # fmt: skip
def test_activity_create_with_bad_input_names_the_field_and_writes_nothing(
    alpha: TenantFixture, values: dict, expected: dict
):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = post_graphql(client, ACTIVITY_CREATE, {"input": values})

    assert response.json()["data"]["activityCreate"] == {"activity": None, "errors": [expected]}
    assert schema_snapshot(alpha.tenant) == before


def test_activity_complete_records_the_outcome_and_plans_the_follow_up(alpha: TenantFixture):
    with alpha.active():
        ana = ContactFactory(first_name="Ana", last_name="Pop")
        call = ActivityFactory(subject="First call", kind="call", contact=ana, assignee=alpha.user(REP_EMAIL))

    response = post_graphql(
        alpha.client(),
        ACTIVITY_COMPLETE,
        {"id": to_global_id("Activity", call.pk), "outcome": "SUCCESSFUL",
         "followUp": {"kind": "MEETING", "subject": "Demo", "dueAt": "2026-04-01T08:00:00+00:00"}},
    )  # fmt: skip

    assert response.json()["data"]["activityComplete"] == {
        "activity": {"status": "DONE", "outcome": "SUCCESSFUL", "outcomeNote": "Talked"},
        "followUp": {
            "subject": "Demo",
            "kind": "MEETING",
            "status": "OPEN",
            "dueAt": "2026-04-01T08:00:00+00:00",
            "origin": {"subject": "First call"},
            "contact": {"fullName": "Ana Pop"},
            "assignee": {"email": REP_EMAIL},
        },
        "errors": [],
    }


def test_completing_a_done_activity_or_a_bad_follow_up_is_refused_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        done = ActivityFactory(subject="Done already", status="done")
        open_call = ActivityFactory(subject="Open call")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    again = post_graphql(client, ACTIVITY_COMPLETE, {"id": to_global_id("Activity", done.pk)}).json()
    bad_follow_up = post_graphql(
        client,
        ACTIVITY_COMPLETE,
        {"id": to_global_id("Activity", open_call.pk), "followUp": {"kind": "TASK", "subject": " "}},
    ).json()

    assert again["data"]["activityComplete"]["errors"] == [
        {"field": "status", "message": "Only an open activity can be completed.", "code": "INVALID"}
    ]
    assert bad_follow_up["data"]["activityComplete"] == {
        "activity": None,
        "followUp": None,
        "errors": [{"field": "subject", "message": "An activity needs a subject.", "code": "INVALID"}],
    }
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        assert Activity.objects.get(pk=open_call.pk).status == "open"


def test_a_read_only_user_cannot_create_activities_and_a_rep_cannot_delete_them(alpha: TenantFixture):
    with alpha.active():
        from identity.models import Role, User

        User.objects.filter(email=REP_EMAIL).update(role=Role.objects.get(key="read_only"))
        mine = ActivityFactory(subject="Mine", assignee=alpha.user(REP_EMAIL))
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    created = post_graphql(client, ACTIVITY_CREATE, {"input": {"kind": "TASK", "subject": "X"}}).json()
    deleted = post_graphql(
        client,
        "mutation($id: ID!) { activityDelete(id: $id) { errors { code } } }",
        {"id": to_global_id("Activity", mine.pk)},
    ).json()

    assert created["data"]["activityCreate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert deleted["data"]["activityDelete"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert schema_snapshot(alpha.tenant) == before
