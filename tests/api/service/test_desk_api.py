"""Assignment rules and canned responses through REST and GraphQL: rules are settings (service
admins write them, agents read them); canned responses are shared (admins write them) or personal
(their owner alone sees and writes them). Bad input, roles, key scopes, another tenant, query counts."""

from __future__ import annotations

from graphql_relay import to_global_id

from identity.models import Team
from modules.service.desk.models import AssignmentRule, CannedResponse
from modules.service.desk.services.assignment import create_rule
from modules.service.desk.services.canned import create_canned_response
from modules.service.models import CaseCategory
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    patch,
    post,
    queries_for,
)
from tests.api.service.helpers import service_agent, top_fields
from tests.marketing.consent.conftest import written
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture, schema_snapshot, with_session_of

AGENT = "agent@example.test"


def test_rules_are_written_through_the_assignment_service_and_pick_the_agent(alpha: TenantFixture) -> None:
    agent = service_agent(alpha)
    with alpha.active():
        category = CaseCategory.objects.create(name="Billing by API")
        team = Team.objects.create(name="Billing desk")
    client = api_client(alpha)

    first = post(client, "/api/v1/assignment-rules/", {"name": "Billing to Ada", "method": "fixed",
                                                       "agent": agent.pk, "category": category.pk})  # fmt: skip
    second = post(client, "/api/v1/assignment-rules/", {"name": "Desk", "method": "round_robin", "queue": team.pk})
    paused = patch(client, f"/api/v1/assignment-rules/{second.json()['id']}/", {"is_active": False})
    case = make_case(alpha, category=category)
    ordered = client.get("/api/v1/assignment-rules/?ordering=position").json()["results"]

    assert first.status_code == 201, first.content
    assert first.json()["agent"]["id"] == agent.pk
    assert first.json()["category"] == {"id": category.pk, "name": "Billing by API"}
    assert (second.json()["position"], second.json()["queue"]) == (1, {"id": team.pk, "name": "Billing desk"})
    assert paused.json()["is_active"] is False
    assert [row["name"] for row in ordered] == ["Billing to Ada", "Desk"]
    with alpha.active():
        case.refresh_from_db()
    assert case.owner_id == agent.pk
    assert client.delete(f"/api/v1/assignment-rules/{second.json()['id']}/").status_code == 204
    with alpha.active():
        assert list(AssignmentRule.objects.values_list("name", flat=True)) == ["Billing to Ada"]


def test_bad_rules_and_replies_are_a_400_naming_the_field_and_write_nothing(alpha: TenantFixture) -> None:
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)
    for body, field in [
        ({"name": "No agent", "method": "fixed"}, "agent"),
        ({"name": "Bad", "method": "magic"}, "method"),
        ({"name": "x\x00", "method": "round_robin"}, "name"),
        ({"name": "x" * 500, "method": "round_robin"}, "name"),
        ({"name": "Queue", "method": "round_robin", "queue": 10**12}, "queue"),
        ({"name": "Lang", "method": "round_robin", "language": "y" * 50}, "language"),
    ]:
        response = post(client, "/api/v1/assignment-rules/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in top_fields(response), (body, response.json())
    for body, field in [
        ({"title": "", "body": "Hi"}, "title"),
        ({"title": "Empty", "body": "  "}, "body"),
        ({"title": "Long", "body": "z" * 20001}, "body"),
        ({"title": "Nul\x00", "body": "Hi"}, "title"),
    ]:
        response = post(client, "/api/v1/canned-responses/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in top_fields(response), (body, response.json())
    assert schema_snapshot(alpha.tenant) == before


def test_agents_see_shared_replies_and_their_own_and_write_only_their_own(alpha: TenantFixture) -> None:
    agent = service_agent(alpha)
    other = service_agent(alpha, "other@example.test")
    with alpha.active():
        shared = create_canned_response(by=alpha.user(), shared=True, title="Greeting", body="Hello")
        theirs = create_canned_response(by=other, shared=False, title="Theirs", body="Mine only")
    client = api_client(alpha, AGENT)

    mine = post(client, "/api/v1/canned-responses/", {"title": "Sign-off", "body": "Cheers, {{ agent.first_name }}"})
    listed = client.get("/api/v1/canned-responses/").json()["results"]
    only_shared = client.get("/api/v1/canned-responses/?shared=true").json()["results"]
    edited = patch(client, f"/api/v1/canned-responses/{mine.json()['id']}/", {"title": "Sign off"})
    browser = alpha.client(AGENT)  # signing in writes a session: before the snapshot
    before = written(alpha)
    share = post(client, "/api/v1/canned-responses/", {"title": "For all", "body": "Hi", "shared": True})
    promote = patch(client, f"/api/v1/canned-responses/{mine.json()['id']}/", {"shared": True})
    change_shared = patch(client, f"/api/v1/canned-responses/{shared.pk}/", {"body": "Changed"})
    delete_shared = client.delete(f"/api/v1/canned-responses/{shared.pk}/")
    read_theirs = client.get(f"/api/v1/canned-responses/{theirs.pk}/")
    change_theirs = patch(client, f"/api/v1/canned-responses/{theirs.pk}/", {"body": "Stolen"})
    graphql = post_graphql(
        browser,
        """mutation($id: ID!) { cannedResponseUpdate(id: $id,
        input: {body: "Changed"}) { errors { field code } } }""",
        {"id": to_global_id("CannedResponse", shared.pk)},
    )

    assert mine.status_code == 201, mine.content
    assert (mine.json()["shared"], mine.json()["owner"]["id"]) == (False, agent.pk)
    assert sorted(row["title"] for row in listed) == ["Greeting", "Sign-off"]
    assert [row["title"] for row in only_shared] == ["Greeting"]
    assert edited.json()["title"] == "Sign off"
    assert [response.status_code for response in (share, promote, change_shared, delete_shared)] == [403] * 4
    assert (read_theirs.status_code, change_theirs.status_code) == (404, 404)
    assert [error["code"] for error in graphql.json()["data"]["cannedResponseUpdate"]["errors"]] == [
        "PERMISSION_DENIED"
    ]
    assert written(alpha) == before
    admin = api_client(alpha)
    promoted = patch(admin, f"/api/v1/canned-responses/{shared.pk}/", {"shared": False})
    assert (promoted.json()["shared"], promoted.json()["owner"]["id"]) == (False, alpha.user().pk)


def test_graphql_writes_rules_and_replies(alpha: TenantFixture) -> None:
    agent = service_agent(alpha)
    client = alpha.client()
    rule = post_graphql(client, """mutation($input: AssignmentRuleInput!) { assignmentRuleCreate(input: $input) {
        assignmentRule { name method channel agent { id } } errors { field } } }""",
        {"input": {"name": "Phones", "method": "FIXED", "channel": "PHONE",
                   "agent": to_global_id("User", agent.pk)}}).json()["data"]["assignmentRuleCreate"]  # fmt: skip
    missing = post_graphql(
        client,
        """mutation { assignmentRuleCreate(input: {name: "X", method: FIXED}) {
        errors { field } } }""",
    ).json()["data"]["assignmentRuleCreate"]
    reply = post_graphql(
        client,
        """mutation { cannedResponseCreate(input: {title: "All", body: "Hi", shared: true}) {
        cannedResponse { title shared owner { id } } errors { field } } }""",
    ).json()["data"]["cannedResponseCreate"]
    lists = ("{ cannedResponses(first: 5, shared: true) { edges { node { title } } } "
             "assignmentRules(first: 5, method: FIXED) { totalCount } }")  # fmt: skip
    listed = post_graphql(client, lists).json()["data"]

    assert rule == {"assignmentRule": {"name": "Phones", "method": "FIXED", "channel": "PHONE",
                                       "agent": {"id": to_global_id("User", agent.pk)}}, "errors": []}  # fmt: skip
    assert [error["field"] for error in missing["errors"]] == ["agent"]
    assert reply == {"cannedResponse": {"title": "All", "shared": True, "owner": None}, "errors": []}
    assert [edge["node"]["title"] for edge in listed["cannedResponses"]["edges"]] == ["All"]
    assert listed["assignmentRules"]["totalCount"] == 1


def test_roles_and_keys_without_the_permission_are_refused(alpha: TenantFixture) -> None:
    service_agent(alpha)
    with alpha.active():
        rule = create_rule(name="Desk", method="round_robin")
    agent = api_client(alpha, AGENT)
    _key, read_only = issue_key(alpha, scopes=("service:read",))
    _key, sales_only = issue_key(alpha, scopes=("sales:read", "sales:write"), name="Sales")
    reader, seller = bearer_client(alpha, read_only), bearer_client(alpha, sales_only)
    before = written(alpha)

    for path in ("/api/v1/assignment-rules/", "/api/v1/canned-responses/"):
        assert agent.get(path).status_code == 200, path
        assert reader.get(path).status_code == 200, path
        assert seller.get(path).status_code == 403, path
    assert post(agent, "/api/v1/assignment-rules/", {"name": "Mine", "method": "round_robin"}).status_code == 403
    assert patch(agent, f"/api/v1/assignment-rules/{rule.pk}/", {"name": "Mine"}).status_code == 403
    assert agent.delete(f"/api/v1/assignment-rules/{rule.pk}/").status_code == 403
    refused = post(reader, "/api/v1/canned-responses/", {"title": "Mine", "body": "Hi"})
    assert refused.status_code == 403
    assert "service:write" in refused.json()["detail"]
    graphql = post_graphql(seller, "{ assignmentRules(first: 5) { totalCount } }").json()
    assert graphql["data"]["assignmentRules"] is None
    assert written(alpha) == before


def test_another_tenants_rules_and_replies_are_out_of_reach(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        rule = create_rule(name="Desk", method="round_robin")
        reply = create_canned_response(by=alpha.user(), shared=True, title="Greeting", body="Hello")
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/assignment-rules/{rule.pk}/", {}),
        ("patch", f"/api/v1/assignment-rules/{rule.pk}/", {"name": "Stolen"}),
        ("delete", f"/api/v1/assignment-rules/{rule.pk}/", {}),
        ("get", f"/api/v1/canned-responses/{reply.pk}/", {}),
        ("patch", f"/api/v1/canned-responses/{reply.pk}/", {"body": "Stolen"}),
        ("delete", f"/api/v1/canned-responses/{reply.pk}/", {}),
    ])  # fmt: skip


def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture) -> None:
    agent = service_agent(alpha)

    def add(count: int) -> None:
        with alpha.active():
            start = CannedResponse.objects.count()
            category = CaseCategory.objects.create(name=f"Category {start}")
            team = Team.objects.create(name=f"Queue {start}")
            for index in range(start, start + count):
                create_rule(name=f"Rule {index}", method="fixed", agent=agent, category=category, queue=team,
                            team=team)  # fmt: skip
                create_canned_response(by=alpha.user(), shared=index % 2 == 0, title=f"Reply {index}", body="Hi")

    client = api_client(alpha)
    paths = ["/api/v1/assignment-rules/?page_size=100", "/api/v1/canned-responses/?page_size=100"]
    add(5)
    few = [queries_for(client, path)[0] for path in paths]
    add(45)
    many = [queries_for(client, path) for path in paths]

    assert [count for count, _response in many] == few
    assert all(len(response.json()["results"]) == 50 for _count, response in many)


REORDER = """mutation($order: [ID!]!) { assignmentRulesReorder(order: $order) {
    assignmentRules { name position } errors { field code } } }"""


def _rules(fixture: TenantFixture, *names: str) -> list[AssignmentRule]:
    with fixture.active():
        return [create_rule(name=name, method="round_robin") for name in names]


def _order(fixture: TenantFixture) -> list[str]:
    with fixture.active():
        return list(AssignmentRule.objects.order_by("position", "id").values_list("name", flat=True))


def test_admins_reorder_the_rules_through_rest_and_graphql(alpha: TenantFixture) -> None:
    agent = service_agent(alpha)
    first, second, third = _rules(alpha, "First", "Second", "Third")
    with alpha.active():
        AssignmentRule.objects.filter(pk=third.pk).update(method="fixed", agent=agent)
    client = api_client(alpha)

    reordered = post(client, "/api/v1/assignment-rules/reorder/", {"order": [third.pk, first.pk, second.pk]})
    after_rest = _order(alpha)
    case = make_case(alpha)
    graphql = post_graphql(alpha.client(), REORDER, {"order": [to_global_id("AssignmentRule", pk)
                                                               for pk in (second.pk, third.pk, first.pk)]})  # fmt: skip

    assert reordered.status_code == 200, reordered.content
    assert [(row["name"], row["position"]) for row in reordered.json()] == [("Third", 0), ("First", 1), ("Second", 2)]
    assert after_rest == ["Third", "First", "Second"]
    with alpha.active():
        case.refresh_from_db()
    assert case.owner_id == agent.pk  # the fixed rule, now tried first, picked the agent
    assert graphql.json()["data"]["assignmentRulesReorder"] == {
        "assignmentRules": [{"name": "Second", "position": 0}, {"name": "Third", "position": 1},
                            {"name": "First", "position": 2}],
        "errors": [],
    }  # fmt: skip
    assert _order(alpha) == ["Second", "Third", "First"]


def test_a_bad_order_is_refused_naming_order_and_changes_nothing(alpha: TenantFixture) -> None:
    first, second = _rules(alpha, "First", "Second")
    client = api_client(alpha)
    browser = alpha.client()
    before = schema_snapshot(alpha.tenant)

    for body in [
        {"order": [second.pk]},  # one missing
        {"order": [second.pk, first.pk, first.pk]},  # repeated
        {"order": [second.pk, first.pk, 10**12]},  # unknown
        {"order": [second.pk, "first"]},
        {"order": []},
        {"order": "1,2"},
        {"order": [second.pk, 2**64]},
        {},
    ]:
        response = post(client, "/api/v1/assignment-rules/reorder/", body)
        assert response.status_code == 400, (body, response.content)
        assert top_fields(response) == {"order"}, (body, response.json())
    for order in ([to_global_id("AssignmentRule", second.pk)],
                  [to_global_id("AssignmentRule", second.pk), to_global_id("CannedResponse", first.pk)],
                  [to_global_id("AssignmentRule", second.pk), "not an id"]):  # fmt: skip
        answer = post_graphql(browser, REORDER, {"order": order}).json()["data"]["assignmentRulesReorder"]
        assert answer["assignmentRules"] is None
        assert [error["field"] for error in answer["errors"]] == ["order"], order
    assert schema_snapshot(alpha.tenant) == before
    assert _order(alpha) == ["First", "Second"]


def test_reordering_needs_service_admin_and_a_write_key(alpha: TenantFixture, beta: TenantFixture) -> None:
    service_agent(alpha)
    first, second = _rules(alpha, "First", "Second")
    agent = api_client(alpha, AGENT)
    _key, read_only = issue_key(alpha, scopes=("service:read",))
    _key, sales_only = issue_key(alpha, scopes=("sales:read", "sales:write"), name="Sales")
    body = {"order": [second.pk, first.pk]}
    agent_browser = alpha.client(AGENT)
    before = written(alpha)

    refused = [post(client, "/api/v1/assignment-rules/reorder/", body)
               for client in (agent, bearer_client(alpha, read_only), bearer_client(alpha, sales_only))]  # fmt: skip
    graphql = post_graphql(agent_browser, REORDER, {"order": [to_global_id("AssignmentRule", pk)
                                                              for pk in (second.pk, first.pk)]})  # fmt: skip

    assert [response.status_code for response in refused] == [403, 403, 403]
    assert "service:write" in refused[1].json()["detail"]
    assert [error["code"] for error in graphql.json()["data"]["assignmentRulesReorder"]["errors"]] == [
        "PERMISSION_DENIED"
    ]
    assert written(alpha) == before
    assert _order(alpha) == ["First", "Second"]
    # Another tenant: alpha's ids name no rule there (400 on ``order``), alpha's session is no session there.
    _rules(beta, "Beta's own")
    intruder = post(api_client(beta), "/api/v1/assignment-rules/reorder/", body)
    stolen = with_session_of(alpha.client(), beta.host).post(
        "/api/v1/assignment-rules/reorder/", body, content_type="application/json"
    )
    beta_graphql = post_graphql(beta.client(), REORDER, {"order": [to_global_id("AssignmentRule", pk)
                                                                   for pk in (second.pk, first.pk)]})  # fmt: skip
    assert (intruder.status_code, top_fields(intruder)) == (400, {"order"})
    assert [error["field"] for error in beta_graphql.json()["data"]["assignmentRulesReorder"]["errors"]] == ["order"]
    assert stolen.status_code == 401
    assert (_order(alpha), _order(beta)) == (["First", "Second"], ["Beta's own"])
