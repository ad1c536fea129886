"""GraphQL cases: the connection with messages and attachments, the mutations through the case
service (field-named errors, nothing written), the plan, permissions, scopes, visibility (the
unassigned cases of the agent's queues too), tenant isolation and query counts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import from_global_id, to_global_id

from identity.models import Role, Team
from identity.services.accounts import ensure_user
from modules.service.models import Case, CaseMessage, CaseStatus
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.service.helpers import message_with_attachment, service_agent
from tests.factories import CompanyFactory, ContactFactory
from tests.service.conftest import make_case
from tests.tenancy import PASSWORD, TenantFixture, schema_snapshot

CASE = "case { id number subject priority channel status { key category } company { name } team { name } solvedAt }"
ERRORS = "errors { field message code }"
CREATE = f"mutation($input: CaseInput!) {{ caseCreate(input: $input) {{ {CASE} {ERRORS} }} }}"
UPDATE = f"mutation($id: ID!, $input: CaseInput!) {{ caseUpdate(id: $id, input: $input) {{ {CASE} {ERRORS} }} }}"
DELETE = f"mutation($id: ID!) {{ caseDelete(id: $id) {{ deletedId {ERRORS} }} }}"
MESSAGE = (
    "mutation($case: ID!, $kind: MessageKind, $text: String, $html: String) {"
    " caseMessageAdd(case: $case, kind: $kind, bodyText: $text, bodyHtml: $html) {"
    f" message {{ kind authorKind bodyText author {{ email }} }} case {{ firstResponseAt }} {ERRORS} }} }}"
)
LIST = (
    "{ cases(first: 100) { totalCount edges { node { number status { label } contact { fullName }"
    " company { name } owner { email } team { name } category { name }"
    " messages(first: 10) { totalCount edges { node { kind contact { fullName }"
    " attachments { name size downloadUrl } } } } } } } }"
)


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def test_a_case_is_created_answered_solved_and_deleted(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(company=CompanyFactory(name="Hinge Works"))
        team = Team.objects.create(name="Returns desk")
    client = alpha.client()

    created = post_graphql(client, CREATE, {"input": {
        "subject": "Broken hinge", "contact": gid("Contact", contact.pk), "priority": "HIGH", "team": team.pk,
    }}).json()["data"]["caseCreate"]  # fmt: skip
    case_id = created["case"]["id"]
    replied = post_graphql(client, MESSAGE, {"case": case_id, "html": "<p>On <b>it</b></p>"}).json()
    noted = post_graphql(client, MESSAGE, {"case": case_id, "kind": "NOTE", "text": "Ask the supplier"}).json()
    with alpha.active():
        solved = CaseStatus.objects.get(key="solved")
    updated = post_graphql(client, UPDATE, {"id": case_id, "input": {"status": gid("CaseStatus", solved.pk)}}).json()
    deleted = post_graphql(client, DELETE, {"id": case_id}).json()["data"]["caseDelete"]

    assert created["errors"] == []
    assert created["case"]["number"].startswith("C-")
    assert (created["case"]["priority"], created["case"]["channel"]) == ("HIGH", "AGENT")
    assert created["case"]["status"] == {"key": "new", "category": "NEW"}
    assert created["case"]["company"] == {"name": "Hinge Works"}
    assert created["case"]["team"] == {"name": "Returns desk"}
    reply = replied["data"]["caseMessageAdd"]
    assert reply["errors"] == []
    assert reply["message"] == {
        "kind": "REPLY", "authorKind": "AGENT", "bodyText": "On it", "author": {"email": alpha.user().email},
    }  # fmt: skip
    assert reply["case"]["firstResponseAt"] is not None
    assert noted["data"]["caseMessageAdd"]["message"]["kind"] == "NOTE"
    assert updated["data"]["caseUpdate"]["case"]["status"] == {"key": "solved", "category": "SOLVED"}
    assert updated["data"]["caseUpdate"]["case"]["solvedAt"] is not None
    assert deleted == {"deletedId": case_id, "errors": []}
    with alpha.active():
        assert not Case.objects.filter(pk=int(from_global_id(case_id)[1])).exists()


def test_bad_input_names_the_field_and_writes_nothing(alpha: TenantFixture):
    case = make_case(alpha)
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    for values, field in (
        ({"subject": "bad\u0000"}, "subject"),
        ({"subject": "x" * 5000}, "subject"),
        ({"subject": "Fine", "description": "\u0000"}, "description"),
        ({"subject": "Fine", "status": gid("CaseStatus", 999999)}, "status"),
        ({"subject": "Fine", "team": 999999}, "team"),
        ({"description": "no subject"}, "subject"),
    ):
        result = post_graphql(client, CREATE, {"input": values}).json()
        errors = result["data"]["caseCreate"]["errors"]
        assert field in [error["field"] for error in errors], (field, result)
    for variables, field in (({"text": "a\u0000b"}, "bodyText"), ({"text": "   "}, "body")):
        result = post_graphql(client, MESSAGE, {"case": gid("Case", case.pk), **variables}).json()
        errors = result["data"]["caseMessageAdd"]["errors"]
        assert field in [error["field"] for error in errors], (field, result)
    huge = post_graphql(client, '{ cases(first: 5, createdAfter: "99999-01-01T00:00:00Z") { totalCount } }').json()
    assert (huge.get("data") or {}).get("cases") is None
    assert huge["errors"]
    assert schema_snapshot(alpha.tenant) == before


def test_an_agent_sees_their_cases_and_the_unassigned_ones_of_their_queues(alpha: TenantFixture):
    with alpha.active():
        desk, elsewhere = Team.objects.create(name="Desk"), Team.objects.create(name="Elsewhere")
    agent = service_agent(alpha, team=desk)
    own = make_case(alpha, owner=agent)
    waiting = make_case(alpha, team=desk)
    make_case(alpha, owner=alpha.user(), team=desk)
    other_queue = make_case(alpha, team=elsewhere)
    with alpha.active():
        Case.objects.filter(pk=own.pk).update(merged_into=waiting)
        Case.objects.filter(pk=waiting.pk).update(merged_into=other_queue)
    client = alpha.client(agent.email)

    listed = post_graphql(client, "{ cases(first: 50) { edges { node { number mergedInto { number } } } } }").json()
    node = post_graphql(client, f'{{ node(id: "{gid("Case", other_queue.pk)}") {{ id }} }}').json()
    answered = post_graphql(client, MESSAGE, {"case": gid("Case", other_queue.pk), "text": "Mine"}).json()

    rows = {edge["node"]["number"]: edge["node"]["mergedInto"] for edge in listed["data"]["cases"]["edges"]}
    assert rows == {own.number: {"number": waiting.number}, waiting.number: None}
    assert node["data"]["node"] is None
    assert [error["code"] for error in answered["data"]["caseMessageAdd"]["errors"]] == ["NOT_FOUND"]


def test_the_plan_roles_and_keys_without_service_get_nothing(alpha: TenantFixture):
    case = make_case(alpha)
    with alpha.active():
        role = Role.objects.create(key="no_service", name="No service", record_visibility="all",
                                   permissions=["contacts.view"])  # fmt: skip
        ensure_user(email="noservice@example.test", password=PASSWORD, role=role, full_name="No Service")
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read",))
    _key, service_read = issue_key(alpha, scopes=("service:read",), name="Reader")
    query = "{ cases(first: 5) { totalCount } caseStatuses(first: 10) { totalCount } }"

    without_view = post_graphql(alpha.client("noservice@example.test"), query).json()
    without_scope = post_graphql(bearer_client(alpha, contacts_only), query).json()
    with_read = post_graphql(bearer_client(alpha, service_read), query).json()
    written = post_graphql(bearer_client(alpha, service_read), MESSAGE, {"case": gid("Case", case.pk), "text": "X"})

    assert without_view["data"] == {"cases": None, "caseStatuses": None}
    assert {error["extensions"]["code"] for error in without_view["errors"]} == {"PERMISSION_DENIED"}
    assert without_scope["data"] == {"cases": None, "caseStatuses": None}
    assert {error["extensions"]["code"] for error in without_scope["errors"]} == {"INSUFFICIENT_SCOPE"}
    assert with_read["data"]["cases"]["totalCount"] == 1
    assert with_read["data"]["caseStatuses"]["totalCount"] == 6
    assert [error["code"] for error in written.json()["data"]["caseMessageAdd"]["errors"]] == ["PERMISSION_DENIED"]

    alpha.tenant.enabled_modules = [key for key in alpha.tenant.enabled_modules if key != "service"]
    alpha.tenant.save()
    client = alpha.client()
    off = post_graphql(client, query).json()
    created = post_graphql(client, CREATE, {"input": {"subject": "Off plan"}}).json()
    node = post_graphql(client, f'{{ node(id: "{gid("Case", case.pk)}") {{ id }} }}').json()
    assert off["data"] == {"cases": None, "caseStatuses": None}
    assert {error["extensions"]["code"] for error in off["errors"]} == {"MODULE_NOT_IN_PLAN"}
    assert created["data"]["caseCreate"] is None
    assert created["errors"][0]["extensions"]["code"] == "MODULE_NOT_IN_PLAN"
    assert node["data"]["node"] is None
    with alpha.active():
        assert CaseMessage.objects.count() == 0
        assert Case.objects.count() == 1


def test_another_tenant_cannot_read_or_change_a_case(alpha: TenantFixture, beta: TenantFixture):
    case = make_case(alpha)
    before = schema_snapshot(alpha.tenant)
    client = beta.client()

    read = post_graphql(client, f'{{ node(id: "{gid("Case", case.pk)}") {{ id }} }}').json()
    changed = post_graphql(client, UPDATE, {"id": gid("Case", case.pk), "input": {"subject": "Stolen"}}).json()
    answered = post_graphql(client, MESSAGE, {"case": gid("Case", case.pk), "text": "Stolen"}).json()
    listed = post_graphql(client, "{ cases(first: 50) { edges { node { number } } } }").json()["data"]["cases"]

    assert read["data"]["node"] is None
    assert [error["code"] for error in changed["data"]["caseUpdate"]["errors"]] == ["NOT_FOUND"]
    assert [error["code"] for error in answered["data"]["caseMessageAdd"]["errors"]] == ["NOT_FOUND"]
    assert listed["edges"] == []
    assert schema_snapshot(alpha.tenant) == before


def test_the_connection_costs_the_same_queries_for_5_and_50_cases(alpha: TenantFixture, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    with alpha.active():
        desk = Team.objects.create(name="Desk")
    agent = service_agent(alpha, team=desk)

    def add(count: int) -> None:
        for index in range(count):
            case = make_case(alpha, owner=agent if index % 2 else None, team=desk)
            with alpha.active():
                message_with_attachment(case, by=None)

    def run() -> tuple[int, int, list[int]]:
        with CaptureQueriesContext(connection) as captured:
            body = post_graphql(alpha.client(agent.email), LIST).json()
        assert "errors" not in body, body
        edges = body["data"]["cases"]["edges"]
        sizes = [edge["node"]["messages"]["totalCount"] for edge in edges]
        return len(captured.captured_queries), body["data"]["cases"]["totalCount"], sizes

    add(5)
    few, five, few_sizes = run()
    add(45)
    many, fifty, sizes = run()
    assert (five, fifty) == (5, 50)
    assert set(few_sizes) == set(sizes) == {1}
    assert many == few
