"""Calls, SMS and CSAT answers through REST and GraphQL, read only: calls for every role with
service.view (as the call pages), SMS and answers with the cases the caller may see; links follow
the link rule; nothing is written; roles, key scopes, another tenant and query counts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from graphql_relay import to_global_id

from modules.service.contact_centre.models import Call, CsatSurvey, SmsMessage
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, post, queries_for
from tests.api.service.helpers import service_agent
from tests.factories import CompanyFactory, ContactFactory
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture

PATHS = ("/api/v1/calls/", "/api/v1/sms-messages/", "/api/v1/csat-answers/")


def contact_centre_rows(alpha: TenantFixture, case, *, index: int = 0, contact=None) -> None:
    """A call, an SMS and an answered CSAT survey about ``case`` (and its contact)."""
    now = timezone.now()
    contact = contact or case.contact
    Call.objects.create(provider_sid=f"CA-{case.pk}-{index}", direction="inbound", status="completed",
                        customer_number="+4930100", workspace_number="+4930200", contact=contact,
                        company=contact.company, agent=case.owner, duration=60, ended_at=now)  # fmt: skip
    SmsMessage.objects.create(dedupe_key=f"sms-{case.pk}-{index}", event="case_solved", case=case, contact=contact,
                              to_number="+4930100", body="Solved", status="delivered")  # fmt: skip
    CsatSurvey.objects.create(case=case, contact=contact, agent=case.owner, team=case.team, email="c@people.example",
                              token_hash=f"hash-{case.pk}-{index}", expires_at=now + timedelta(days=14), rating=4,
                              comment="Quick", answered_at=now)  # fmt: skip


def test_calls_sms_and_answers_are_listed_with_their_links(alpha: TenantFixture) -> None:
    case = make_case(alpha, owner_email=None)
    with alpha.active():
        contact_centre_rows(alpha, case)
        CsatSurvey.objects.create(case=case, email="c@people.example", token_hash="unanswered",
                                  expires_at=timezone.now() + timedelta(days=14))  # fmt: skip
    client = api_client(alpha)

    calls = client.get("/api/v1/calls/?direction=inbound").json()["results"]
    sms = client.get(f"/api/v1/sms-messages/?case={case.pk}").json()["results"]
    answers = client.get("/api/v1/csat-answers/").json()["results"]

    assert [(row["status"], row["duration"], row["contact"]["id"]) for row in calls] == [
        ("completed", 60, case.contact_id)
    ]
    assert "provider_sid" not in calls[0]
    assert [(row["event"], row["status"], row["case"]["number"]) for row in sms] == [
        ("case_solved", "delivered", case.number)
    ]
    assert [(row["rating"], row["comment"]) for row in answers] == [(4, "Quick")]  # unanswered left out
    assert "token_hash" not in answers[0]
    assert "expires_at" not in answers[0]
    graphql = post_graphql(
        alpha.client(),
        """{ calls(first: 5) { edges { node { direction contact { id } } } }
        smsMessages(first: 5, status: DELIVERED) { edges { node { body case { number } } } }
        csatAnswers(first: 5) { edges { node { rating case { number } } } } }""",
    ).json()
    assert "errors" not in graphql, graphql
    data = graphql["data"]
    assert data["calls"]["edges"][0]["node"] == {
        "direction": "INBOUND", "contact": {"id": to_global_id("Contact", case.contact_id)},
    }  # fmt: skip
    assert data["smsMessages"]["edges"][0]["node"] == {"body": "Solved", "case": {"number": case.number}}
    assert data["csatAnswers"]["edges"][0]["node"] == {"rating": 4, "case": {"number": case.number}}


def test_nothing_is_written_through_the_api(alpha: TenantFixture) -> None:
    case = make_case(alpha)
    with alpha.active():
        contact_centre_rows(alpha, case)
        call, sms = Call.objects.get(), SmsMessage.objects.get()
    client = api_client(alpha)

    assert post(client, "/api/v1/calls/", {"direction": "inbound"}).status_code == 405
    assert client.delete(f"/api/v1/calls/{call.pk}/").status_code == 405
    assert client.patch(f"/api/v1/sms-messages/{sms.pk}/", {}, content_type="application/json").status_code == 405


def test_sms_and_answers_follow_the_cases_an_agent_may_see(alpha: TenantFixture) -> None:
    agent = service_agent(alpha)
    with alpha.active():
        my_contact = ContactFactory(owner=agent, company=CompanyFactory(owner=agent))
        their_contact = ContactFactory(owner=alpha.user(), company=CompanyFactory(owner=alpha.user()))
    mine = make_case(alpha, owner=agent, contact=my_contact)
    hidden = make_case(alpha, owner=alpha.user(), contact=their_contact)
    with alpha.active():
        contact_centre_rows(alpha, mine)
        contact_centre_rows(alpha, hidden, index=1)
        hidden_answer = CsatSurvey.objects.get(case=hidden)
    client = api_client(alpha, "agent@example.test")
    _key, service_only = issue_key(alpha, scopes=("service:read",))

    sms = client.get("/api/v1/sms-messages/").json()["results"]
    answers = client.get("/api/v1/csat-answers/").json()["results"]
    calls = client.get("/api/v1/calls/").json()["results"]
    unlinked = bearer_client(alpha, service_only).get("/api/v1/calls/").json()["results"]

    assert [row["case"]["id"] for row in sms] == [mine.pk]
    assert [row["case"]["id"] for row in answers] == [mine.pk]
    assert client.get(f"/api/v1/csat-answers/{hidden_answer.pk}/").status_code == 404
    assert len(calls) == 2  # every call, as on the call pages
    assert sorted(row["contact"] is None for row in calls) == [False, True]  # the admin's contact is hidden
    assert {row["contact"] for row in unlinked} == {None}  # the key cannot read contacts


def test_roles_and_keys_without_service_get_nothing(alpha: TenantFixture) -> None:
    case = make_case(alpha)
    with alpha.active():
        contact_centre_rows(alpha, case)
    _key, sales_only = issue_key(alpha, scopes=("sales:read", "contacts:read"))
    seller = bearer_client(alpha, sales_only)
    rep = api_client(alpha, "rep@example.test")  # the sales rep role holds no service permission

    for path in PATHS:
        assert seller.get(path).status_code == 403, path
        assert rep.get(path).status_code == 403, path
    refused = post_graphql(alpha.client("rep@example.test"), "{ calls(first: 5) { totalCount } }").json()
    assert refused["data"]["calls"] is None


def test_another_tenants_calls_sms_and_answers_are_out_of_reach(alpha: TenantFixture, beta: TenantFixture) -> None:
    case = make_case(alpha)
    with alpha.active():
        contact_centre_rows(alpha, case)
        ids = [Call.objects.get().pk, SmsMessage.objects.get().pk, CsatSurvey.objects.get().pk]
    assert_rest_requests_fail_across_tenants(
        alpha, beta, [("get", f"{path}{pk}/", {}) for path, pk in zip(PATHS, ids, strict=True)]
    )
    node = post_graphql(beta.client(), f'{{ node(id: "{to_global_id("Call", ids[0])}") {{ id }} }}').json()
    assert node["data"]["node"] is None


def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture) -> None:
    case = make_case(alpha)

    def add(count: int) -> None:
        with alpha.active():
            start = Call.objects.count()
            for index in range(start, start + count):
                contact_centre_rows(alpha, case, index=index, contact=ContactFactory(company=CompanyFactory()))

    client = api_client(alpha)
    paths = [f"{path}?page_size=100" for path in PATHS]
    add(5)
    few = [queries_for(client, path)[0] for path in paths]
    add(45)
    many = [queries_for(client, path) for path in paths]

    assert [count for count, _response in many] == few
    assert all(len(response.json()["results"]) == 50 for _count, response in many)
