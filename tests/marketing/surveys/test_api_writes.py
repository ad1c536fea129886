"""Surveys written through REST and GraphQL with the builder's checks, invitations as the send page
makes them (idempotent, suppressed addresses left out), the shareable link, the link rule for a
response's contact in GraphQL, permissions, scopes, another tenant and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from graphql_relay import to_global_id

from identity.services.api_keys import create_api_key
from modules.marketing.choices import SuppressionReason
from modules.marketing.models import Segment, SegmentMember, Suppression
from modules.marketing.surveys.models import Invitation, Question, Response, Survey
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, field_names, patch, post
from tests.factories import ContactFactory
from tests.marketing.surveys.conftest import fields, make_survey, personal_token
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke, schema_snapshot

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "nps", "label": "Recommend us?", "required": True},
    {"kind": "single", "label": "Plan?", "choices": ["Basic", "Pro"]},
    {"kind": "short_text", "label": "Why?"},
]


def key_client(tenant: TenantFixture, *scopes: str, email: str | None = None) -> Client:
    with tenant.active():
        user = tenant.user(email) if email else tenant.user()
        _key, plaintext = create_api_key(user=user, name="Surveys", scopes=list(scopes))
    return Client(HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_a_survey_with_questions_is_created_reordered_and_deleted_over_rest(alpha: TenantFixture) -> None:
    client = api_client(alpha)

    created = post(client, "/api/v1/surveys/", {"name": "Onboarding", "kind": "custom", "questions": QUESTIONS})

    assert created.status_code == 201, created.content
    survey = created.json()
    assert survey["status"] == "draft"
    assert [(q["position"], q["kind"], q["choices"]) for q in survey["questions"]] == [
        (0, "nps", []), (1, "single", ["Basic", "Pro"]), (2, "short_text", []),
    ]  # fmt: skip
    nps, plan, _why = survey["questions"]
    # The whole list: kept by id (with their answers), a new one added, the one left out deleted.
    changed = patch(
        client,
        f"/api/v1/surveys/{survey['id']}/",
        {"status": "open", "questions": [{**plan, "label": "Which plan?"}, nps, {"kind": "csat", "label": "Happy?"}]},
    )
    assert changed.status_code == 200, changed.content
    questions = changed.json()["questions"]
    assert [(q["id"], q["label"]) for q in questions][:2] == [(plan["id"], "Which plan?"), (nps["id"], "Recommend us?")]
    assert changed.json()["status"] == "open"
    with alpha.active():
        assert Question.objects.filter(survey_id=survey["id"]).count() == 3

    assert client.delete(f"/api/v1/surveys/{survey['id']}/").status_code == 204
    with alpha.active():
        assert not Survey.objects.filter(pk=survey["id"]).exists()


def test_a_new_nps_survey_starts_with_its_question(alpha: TenantFixture) -> None:
    created = post(api_client(alpha), "/api/v1/surveys/", {"name": "NPS", "kind": "nps"}).json()

    assert [question["kind"] for question in created["questions"]] == ["nps"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"questions": [{"kind": "stars", "label": "?"}]}, "questions[0].kind"),
        (
            {"questions": [QUESTIONS[0], {"kind": "single", "label": "Plan?", "choices": ["One"]}]},
            "questions[1].choices",
        ),
        ({"questions": [{"kind": "single", "label": "P", "choices": ["A\x00", "B"]}]}, "questions[0].choices"),
        ({"questions": [{"kind": "long_text", "label": "x" * 501}]}, "questions[0].label"),
        ({"questions": [{"kind": "long_text", "label": " "}]}, "questions[0].label"),
        ({"questions": "all of them"}, "questions"),
        ({"name": "N\x00"}, "name"),
        ({"name": "x" * 100_000}, "name"),
        ({"kind": "quiz"}, "kind"),
        ({"campaign": 2**70}, "campaign"),
    ],
)
def test_a_bad_survey_is_a_400_naming_the_field_and_nothing_is_written(
    alpha: TenantFixture, values: dict[str, Any], field: str
) -> None:
    client = api_client(alpha)  # signing in stamps the user: before the snapshot
    before = schema_snapshot(alpha.tenant)

    response = post(client, "/api/v1/surveys/", {"name": "Bad", "kind": "custom", **values})

    assert response.status_code == 400, response.content
    assert field_names(response) == [field]
    assert schema_snapshot(alpha.tenant) == before


@pytest.fixture
def audience(alpha: TenantFixture) -> dict[str, Any]:
    with alpha.active():
        segment = Segment.objects.create(name="Customers")
        contacts = [ContactFactory(email=email) for email in ("ana@example.test", "gone@example.test")]
        for contact in contacts:
            SegmentMember.objects.create(segment=segment, contact=contact)
        Suppression.objects.create(email="gone@example.test", reason=SuppressionReason.UNSUBSCRIBED)
        chosen = ContactFactory(email="ion@example.test")
        return {"segment": segment, "chosen": chosen, "survey": make_survey(alpha)}


def test_invitations_leave_out_suppressed_addresses_and_are_made_once(
    alpha: TenantFixture, audience: dict[str, Any]
) -> None:
    client = api_client(alpha)
    path = f"/api/v1/surveys/{audience['survey'].pk}/invite/"
    request = {"segment": audience["segment"].pk, "contacts": [audience["chosen"].pk]}

    first = post(client, path, request)
    again = post(client, path, request)

    assert (first.status_code, first.json()) == (200, {"invited": 2})
    assert (again.status_code, again.json()) == (200, {"invited": 0})
    with alpha.active():
        invited = sorted(Invitation.objects.filter(survey=audience["survey"]).values_list("email", flat=True))
    assert invited == ["ana@example.test", "ion@example.test"]


def test_invitations_refuse_what_the_page_refuses(alpha: TenantFixture, audience: dict[str, Any]) -> None:
    client = api_client(alpha)
    survey = audience["survey"]
    path = f"/api/v1/surveys/{survey.pk}/invite/"
    before = schema_snapshot(alpha.tenant)

    assert field_names(post(client, path, {})) == ["segment"]
    assert field_names(post(client, path, {"segment": 2**70})) == ["segment"]
    assert field_names(post(client, path, {"segment": audience["segment"].pk, "contacts": [999_999]})) == ["contacts"]
    assert field_names(post(client, path, {"contacts": list(range(1, 1002))})) == ["contacts"]
    with alpha.active():
        Survey.objects.filter(pk=survey.pk).update(status="draft")
    assert field_names(post(client, path, {"contacts": [audience["chosen"].pk]})) == ["status"]
    with alpha.active():
        Survey.objects.filter(pk=survey.pk).update(status="open")
    assert schema_snapshot(alpha.tenant) == before
    # Inviting needs marketing.send (as the send page) and the write scope.
    revoke(alpha, "admin", "marketing.send")
    assert post(client, path, {"contacts": [audience["chosen"].pk]}).status_code == 403
    grant(alpha, "admin", "marketing.send")
    assert post(key_client(alpha, "marketing:read"), path, {"contacts": [audience["chosen"].pk]}).status_code == 403
    with alpha.active():
        assert not Invitation.objects.exists()


def test_the_shareable_link_is_new_each_time_and_answers_the_survey(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha, share_mode="anonymous")
        closed = make_survey(alpha, name="No link")
    client = api_client(alpha)

    first = post(client, f"/api/v1/surveys/{survey.pk}/share-link/")
    second = post(client, f"/api/v1/surveys/{survey.pk}/share-link/")

    assert first.status_code == 201
    assert first["Cache-Control"] == "private, no-store"
    old, new = (response.json()["url"].split(alpha.host, 1)[1] for response in (first, second))
    assert alpha.client(None).get(new).status_code == 200
    assert alpha.client(None).get(old).status_code == 404  # the previous link stops working
    assert field_names(post(client, f"/api/v1/surveys/{closed.pk}/share-link/")) == ["share_mode"]
    assert post(key_client(alpha, "marketing:read"), f"/api/v1/surveys/{survey.pk}/share-link/").status_code == 403


def test_responses_are_read_only(alpha: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha)
        response = Response.objects.create(survey=survey, score=9, category="promoter", submitted_at=survey.created_at)
    client = api_client(alpha)

    assert post(client, "/api/v1/survey-responses/", {"survey": survey.pk}).status_code == 405
    assert patch(client, f"/api/v1/survey-responses/{response.pk}/", {"score": 0}).status_code == 405
    assert client.delete(f"/api/v1/survey-responses/{response.pk}/").status_code == 405


def test_another_tenant_cannot_reach_a_survey(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        survey = make_survey(alpha, share_mode="anonymous")
        contact = ContactFactory(email="ana@example.test")
        response = Response.objects.create(survey=survey, score=9, category="promoter", submitted_at=survey.created_at)

    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", f"/api/v1/surveys/{survey.pk}/", {}),
            ("patch", f"/api/v1/surveys/{survey.pk}/", {"name": "Stolen"}),
            ("delete", f"/api/v1/surveys/{survey.pk}/", {}),
            ("post", f"/api/v1/surveys/{survey.pk}/invite/", {"contacts": [contact.pk]}),
            ("post", f"/api/v1/surveys/{survey.pk}/share-link/", {}),
            ("get", f"/api/v1/survey-responses/{response.pk}/", {}),
        ],
    )
    survey_id = to_global_id("Survey", survey.pk)
    before = schema_snapshot(alpha.tenant)
    for mutation in (UPDATE, INVITE, SHARE):
        variables = {"id": survey_id, "input": {"name": "Stolen"}, "contacts": [to_global_id("Contact", contact.pk)]}
        used = {name: value for name, value in variables.items() if f"${name}" in mutation}
        payload = next(iter(post_graphql(beta.client(), mutation, used).json()["data"].values()))
        assert payload["errors"][0]["code"] == "NOT_FOUND", mutation
    assert schema_snapshot(alpha.tenant) == before


CREATE = """mutation Create($input: SurveyInput!) {
  surveyCreate(input: $input) { survey { id status questions { id kind label choices } } errors { field code } }
}"""
UPDATE = """mutation Update($id: ID!, $input: SurveyInput!) {
  surveyUpdate(id: $id, input: $input) { survey { name questions { id label } } errors { field code } }
}"""
DELETE = """mutation Delete($id: ID!) { surveyDelete(id: $id) { deletedId errors { field code } } }"""
INVITE = """mutation Invite($id: ID!, $contacts: [ID!]) {
  surveyInvite(id: $id, contacts: $contacts) { invited errors { field code } }
}"""
SHARE = """mutation Share($id: ID!) { surveyShareLinkCreate(id: $id) { url errors { field code } } }"""


def test_graphql_writes_a_survey_with_the_builders_checks(alpha: TenantFixture, audience: dict[str, Any]) -> None:
    client = alpha.client()
    questions = [{**question, "kind": question["kind"].upper()} for question in QUESTIONS]

    created = post_graphql(client, CREATE, {"input": {"name": "G", "kind": "CUSTOM", "questions": questions}})

    payload = created.json()["data"]["surveyCreate"]
    assert payload["errors"] == [], payload
    survey_id, (nps, plan, _why) = payload["survey"]["id"], payload["survey"]["questions"]
    assert (payload["survey"]["status"], plan["choices"]) == ("DRAFT", ["Basic", "Pro"])
    kept = [
        {"id": plan["id"], "kind": "SINGLE", "label": "Which?", "choices": ["A", "B"]},
        {**questions[0], "id": nps["id"]},
    ]
    changed = post_graphql(client, UPDATE, {"id": survey_id, "input": {"name": "H", "questions": kept}}).json()
    assert changed["data"]["surveyUpdate"]["survey"] == {
        "name": "H", "questions": [{"id": plan["id"], "label": "Which?"}, {"id": nps["id"], "label": "Recommend us?"}],
    }  # fmt: skip
    bad = [{"kind": "SINGLE", "label": "Only one", "choices": ["A"]}]
    refused = post_graphql(client, UPDATE, {"id": survey_id, "input": {"questions": bad}}).json()
    assert refused["data"]["surveyUpdate"]["errors"] == [{"field": "questions[0].choices", "code": "INVALID"}]
    assert post_graphql(client, DELETE, {"id": survey_id}).json()["data"]["surveyDelete"]["errors"] == []

    open_id = to_global_id("Survey", audience["survey"].pk)
    contacts = [to_global_id("Contact", audience["chosen"].pk)]
    invited = [
        post_graphql(client, INVITE, {"id": open_id, "contacts": contacts}).json()["data"]["surveyInvite"]
        for _attempt in range(2)
    ]
    assert invited == [{"invited": 1, "errors": []}, {"invited": 0, "errors": []}]
    shared = post_graphql(client, SHARE, {"id": open_id}).json()["data"]["surveyShareLinkCreate"]
    assert shared["errors"] == [{"field": "shareMode", "code": "INVALID"}]


def test_graphql_survey_writes_need_the_permission_and_the_scope(
    alpha: TenantFixture, audience: dict[str, Any]
) -> None:
    survey_id = to_global_id("Survey", audience["survey"].pk)
    contacts = [to_global_id("Contact", audience["chosen"].pk)]
    revoke(alpha, "admin", "marketing.send")
    refused = post_graphql(alpha.client(), INVITE, {"id": survey_id, "contacts": contacts}).json()["data"]
    assert refused["surveyInvite"]["errors"][0]["code"] == "PERMISSION_DENIED"
    grant(alpha, "admin", "marketing.send")
    read_only = key_client(alpha, "marketing:read")
    for mutation, variables in ((INVITE, {"id": survey_id, "contacts": contacts}), (CREATE, {"input": {"name": "K"}})):
        payload = next(iter(post_graphql(read_only, mutation, variables).json()["data"].values()))
        assert payload["errors"][0]["code"] == "PERMISSION_DENIED"
    with alpha.active():
        assert not Invitation.objects.exists()
        assert Survey.objects.count() == 1


RESPONSES = """{ surveys(first: 50) { edges { node { name campaign { name } questions { kind label } } } }
  surveyResponses(first: 50) { totalCount edges { node { score category email contact { lastName }
    survey { name } answers { number choices text question { kind } } } } } }"""


class Form(dict[str, Any]):
    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        return value if isinstance(value, list) else [] if value is None else [value]


def _answer(alpha: TenantFixture, survey: Survey, count: int, **contact: Any) -> None:
    from modules.marketing.surveys.services.answers import submit

    with alpha.active():
        for _index in range(count):
            submit(personal_token(survey, ContactFactory(**contact)), Form(fields(survey, "9", "Pro", ["Mail"], "ok")))


def test_graphql_reads_responses_with_answers_and_hides_contacts_the_caller_may_not_see(
    alpha: TenantFixture, django_assert_max_num_queries: Any
) -> None:
    with alpha.active():
        survey = make_survey(alpha)
    _answer(alpha, survey, 2, owner=None)
    client = alpha.client()

    with django_assert_max_num_queries(40) as few:
        body = post_graphql(client, RESPONSES).json()
    assert "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["surveyResponses"]["edges"]]
    assert [(node["score"], node["category"], len(node["answers"])) for node in nodes] == [(9, "PROMOTER", 4)] * 2
    assert all(node["contact"] is not None for node in nodes)
    assert nodes[0]["answers"][1] == {"number": None, "choices": ["Pro"], "text": "", "question": {"kind": "SINGLE"}}
    _answer(alpha, survey, 8, owner=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert post_graphql(client, RESPONSES).json()["data"]["surveyResponses"]["totalCount"] == 10

    # A rep sees the answers but not contacts outside their visibility; a key without the contacts
    # scope sees no contact at all.
    grant(alpha, "sales_rep", "marketing.view")
    as_rep = post_graphql(alpha.client(REP_EMAIL), RESPONSES).json()
    assert {edge["node"]["contact"] for edge in as_rep["data"]["surveyResponses"]["edges"]} == {None}
    marketing_only = post_graphql(key_client(alpha, "marketing:read"), RESPONSES).json()
    assert {edge["node"]["contact"] for edge in marketing_only["data"]["surveyResponses"]["edges"]} == {None}
    # Without marketing.view, nothing.
    revoke(alpha, "admin", "marketing.view")
    errors = post_graphql(alpha.client(), RESPONSES).json()["errors"]
    assert {error["extensions"]["code"] for error in errors} == {"PERMISSION_DENIED"}


def test_rest_survey_lists_cost_the_same_for_more_surveys(
    alpha: TenantFixture, django_assert_max_num_queries: Any
) -> None:
    with alpha.active():
        make_survey(alpha)
    client = api_client(alpha)
    with django_assert_max_num_queries(30) as few:
        client.get("/api/v1/surveys/")
    with alpha.active():
        for index in range(6):
            make_survey(alpha, name=f"Survey {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/surveys/").json()["results"]) == 7
