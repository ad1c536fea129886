"""REST /api/v1/cases/ and its messages: create, read, update, delete, the conversation and its
attachments, bad input, permissions, scopes, the plan, visibility (the unassigned cases of the
agent's queues too), tenant isolation and query counts."""

from __future__ import annotations

from customization.events.models import DomainEvent
from identity.models import Role, Team
from identity.services.accounts import ensure_user
from modules.service.models import Case, CaseMessage, CaseStatus
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.api.service.helpers import message_with_attachment, service_agent
from tests.factories import CompanyFactory, ContactFactory
from tests.service.conftest import make_case
from tests.tenancy import PASSWORD, TenantFixture, schema_snapshot


def test_a_case_is_created_changed_answered_and_deleted(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(company=CompanyFactory())
    client = api_client(alpha)

    created = post(client, "/api/v1/cases/", {"subject": "Broken hinge", "contact": contact.pk, "priority": "high"})
    case_id = created.json()["id"]
    reply = post(client, f"/api/v1/cases/{case_id}/messages/", {"body_html": "<p>We are <b>on it</b></p>"})
    note = post(client, f"/api/v1/cases/{case_id}/messages/", {"kind": "note", "body_text": "Call the supplier"})
    with alpha.active():
        solved = CaseStatus.objects.get(key="solved")
    changed = patch(client, f"/api/v1/cases/{case_id}/", {"status": solved.pk, "custom": {}})
    conversation = client.get(f"/api/v1/cases/{case_id}/messages/")
    deleted = client.delete(f"/api/v1/cases/{case_id}/")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("C-")
    assert (body["priority"], body["channel"], body["status"]["category"]) == ("high", "agent", "new")
    assert body["company"] == {"id": contact.company_id, "name": contact.company.name}
    assert (reply.status_code, note.status_code) == (201, 201)
    assert (reply.json()["kind"], reply.json()["author_kind"], reply.json()["body_text"]) == (
        "reply", "agent", "We are on it",
    )  # fmt: skip
    assert reply.json()["author"]["email"] == alpha.user().email
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"]["key"] == "solved"
    assert changed.json()["solved_at"] is not None
    assert changed.json()["first_response_at"] is not None
    assert [row["kind"] for row in conversation.json()["results"]] == ["reply", "note"]
    assert deleted.status_code == 204
    with alpha.active():
        assert not Case.objects.filter(pk=case_id).exists()
        types = sorted(DomainEvent.objects.filter(record_id=case_id, entity="case").values_list("type", flat=True))
    assert types == [
        "case.created", "case.deleted", "case.message_added", "case.message_added", "case.solved",
        "case.status_changed", "case.updated",
    ]  # fmt: skip


def test_filters_find_cases_by_status_category_queue_and_assignment(alpha: TenantFixture):
    with alpha.active():
        team = Team.objects.create(name="Returns desk")
    assigned = make_case(alpha, owner=alpha.user(), priority="urgent")
    queued = make_case(alpha, team=team)
    client = api_client(alpha)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("unassigned=true") == [queued.pk]
    assert ids(f"queue={team.pk}") == [queued.pk]
    assert ids(f"agent={alpha.user().pk}&priority=urgent") == [assigned.pk]
    assert ids("status_category=new&ordering=-created_at") == [queued.pk, assigned.pk]
    assert ids("status_category=solved") == []
    bad = client.get("/api/v1/cases/?status_category=nonsense")
    assert bad.status_code == 400
    assert field_names(bad) == ["status_category"]


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(alpha: TenantFixture):
    case = make_case(alpha)
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)

    cases = [
        ({"subject": "a\u0000b"}, "subject"),
        ({"subject": "x" * 5000}, "subject"),
        ({"subject": "Fine", "description": "\u0000"}, "description"),
        ({"subject": "Fine", "priority": "whenever"}, "priority"),
        ({"subject": "Fine", "status": 999999}, "status"),
        ({"subject": "Fine", "custom": {"unknown": 1}}, "custom.unknown"),
        ({}, "subject"),
    ]
    for body, field in cases:
        response = post(client, "/api/v1/cases/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in field_names(response), (field, response.json())
    for body, field in [
        ({"body_text": "a\u0000b"}, "body_text"),
        ({"body_text": "x" * 200_000}, "body_text"),
        ({"body_text": "  "}, "body"),
        ({"kind": "shout", "body_text": "Hi"}, "kind"),
    ]:
        response = post(client, f"/api/v1/cases/{case.pk}/messages/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in field_names(response), (field, response.json())
    huge_date = client.get("/api/v1/cases/?created_after=99999-01-01T00:00:00Z")
    assert huge_date.status_code == 400
    assert field_names(huge_date) == ["created_after"]
    assert schema_snapshot(alpha.tenant) == before


def test_an_agent_sees_their_cases_and_the_unassigned_ones_of_their_queues(alpha: TenantFixture):
    with alpha.active():
        mine_team, other_team = Team.objects.create(name="Desk"), Team.objects.create(name="Elsewhere")
    agent = service_agent(alpha, team=mine_team)
    own = make_case(alpha, owner=agent)
    waiting = make_case(alpha, team=mine_team)
    nowhere = make_case(alpha)
    others = make_case(alpha, owner=alpha.user(), team=mine_team)
    other_queue = make_case(alpha, team=other_team)
    with alpha.active():
        Case.objects.filter(pk=own.pk).update(merged_into=waiting)
        Case.objects.filter(pk=waiting.pk).update(merged_into=other_queue)
    client = api_client(alpha, agent.email)

    listed = client.get("/api/v1/cases/?page_size=50").json()["results"]
    by_id = {row["id"]: row for row in listed}

    assert set(by_id) == {own.pk, waiting.pk, nowhere.pk}
    assert by_id[own.pk]["merged_into"]["id"] == waiting.pk  # the link rule agrees with the list
    assert by_id[waiting.pk]["merged_into"] is None
    assert by_id[own.pk]["contact"] is None  # the contact's owner is not the agent
    assert client.get(f"/api/v1/cases/{others.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{other_queue.pk}/messages/").status_code == 404
    assert post(client, f"/api/v1/cases/{other_queue.pk}/messages/", {"body_text": "Mine now"}).status_code == 404


def test_attachments_are_listed_with_a_download_link_that_checks_the_case(alpha: TenantFixture, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    with alpha.active():
        desk = Team.objects.create(name="Desk")
    agent = service_agent(alpha)
    visible = make_case(alpha, owner=agent)
    hidden = make_case(alpha, owner=alpha.user(), team=desk)
    with alpha.active():
        shown_file = message_with_attachment(visible, by=None, content=b"visible bytes")
        hidden_file = message_with_attachment(hidden, by=None, content=b"hidden bytes")
    client = api_client(alpha, agent.email)

    [message] = client.get(f"/api/v1/cases/{visible.pk}/messages/").json()["results"]
    [listed] = message["attachments"]
    download = client.get(listed["download_url"])
    hidden_path = f"/api/v1/cases/{hidden.pk}/messages/{hidden_file.message_id}/attachments/{hidden_file.pk}/download/"
    crossed_path = (
        f"/api/v1/cases/{visible.pk}/messages/{hidden_file.message_id}/attachments/{hidden_file.pk}/download/"
    )

    assert (listed["id"], listed["name"], listed["size"]) == (shown_file.pk, "invoice.txt", 13)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"visible bytes"
    assert download["Cache-Control"] == "private, no-store"
    assert client.get(hidden_path).status_code == 404
    assert client.get(crossed_path).status_code == 404
    assert api_client(alpha).get(hidden_path).status_code == 200


def test_roles_keys_and_plans_without_service_are_refused(alpha: TenantFixture):
    case = make_case(alpha)
    with alpha.active():
        role = Role.objects.create(key="no_service", name="No service", record_visibility="all",
                                   permissions=["contacts.view"])  # fmt: skip
        ensure_user(email="noservice@example.test", password=PASSWORD, role=role, full_name="No Service")
    without_view = api_client(alpha, "noservice@example.test")
    _key, sales_only = issue_key(alpha, scopes=("sales:read", "sales:write"))
    _key, read_only = issue_key(alpha, scopes=("service:read",), name="Reader")
    _key, writer = issue_key(alpha, scopes=("service:write",), name="Writer")
    reader = bearer_client(alpha, read_only)

    assert without_view.get("/api/v1/cases/").status_code == 403
    assert without_view.get("/api/v1/case-statuses/").status_code == 403
    assert bearer_client(alpha, sales_only).get("/api/v1/cases/").status_code == 403
    assert bearer_client(alpha, sales_only).get(f"/api/v1/cases/{case.pk}/messages/").status_code == 403
    assert reader.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert reader.get(f"/api/v1/cases/{case.pk}/messages/").status_code == 200
    refused = reader.post(f"/api/v1/cases/{case.pk}/messages/", {"body_text": "Hi"}, content_type="application/json")
    assert refused.status_code == 403
    assert "service:write" in refused.json()["detail"]
    assert (
        reader.patch(f"/api/v1/cases/{case.pk}/", {"subject": "X"}, content_type="application/json").status_code == 403
    )
    written = bearer_client(alpha, writer).post(
        f"/api/v1/cases/{case.pk}/messages/", {"body_text": "Hi"}, content_type="application/json"
    )
    assert written.status_code == 201
    with alpha.active():
        assert CaseMessage.objects.filter(case=case).count() == 1

    alpha.tenant.enabled_modules = [key for key in alpha.tenant.enabled_modules if key != "service"]
    alpha.tenant.save()
    for path in ("/api/v1/cases/", f"/api/v1/cases/{case.pk}/messages/", "/api/v1/case-categories/"):
        response = api_client(alpha).get(path)
        assert response.status_code == 403, path
        assert response.json()["type"].endswith("module-not-in-plan"), response.json()
    assert post(api_client(alpha), "/api/v1/cases/", {"subject": "Off plan"}).status_code == 403


def test_cases_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    case = make_case(alpha)
    with alpha.active():
        attachment = message_with_attachment(case, by=None)
        status = CaseStatus.objects.order_by("id").first()
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/cases/{case.pk}/", {}),
        ("patch", f"/api/v1/cases/{case.pk}/", {"subject": "stolen"}),
        ("delete", f"/api/v1/cases/{case.pk}/", {}),
        ("get", f"/api/v1/cases/{case.pk}/messages/", {}),
        ("post", f"/api/v1/cases/{case.pk}/messages/", {"body_text": "stolen"}),
        ("get", f"/api/v1/cases/{case.pk}/messages/{attachment.message_id}/attachments/{attachment.pk}/download/", {}),
    ])  # fmt: skip
    with beta.active():
        beta_statuses = set(CaseStatus.objects.values_list("pk", flat=True))
    if status is not None and status.pk not in beta_statuses:
        assert api_client(beta).get(f"/api/v1/case-statuses/{status.pk}/").status_code == 404


def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture):
    with alpha.active():
        team = Team.objects.create(name="Desk")
    agent = service_agent(alpha, team=team)
    for _ in range(5):
        make_case(alpha, owner=agent, team=team)
    conversation = make_case(alpha, owner=agent)
    with alpha.active():
        for _ in range(5):
            message_with_attachment(conversation, by=None)
    client = api_client(alpha, agent.email)
    few, _response = queries_for(client, "/api/v1/cases/?page_size=100")
    few_messages, _response = queries_for(client, f"/api/v1/cases/{conversation.pk}/messages/?page_size=100")
    for _ in range(45):
        make_case(alpha, team=team)
    with alpha.active():
        for _ in range(45):
            message_with_attachment(conversation, by=None)
    many, response = queries_for(client, "/api/v1/cases/?page_size=100")
    many_messages, messages = queries_for(client, f"/api/v1/cases/{conversation.pk}/messages/?page_size=100")

    assert len(response.json()["results"]) == 51
    assert len(messages.json()["results"]) == 50
    assert many == few
    assert many_messages == few_messages
