"""The link rule on each surface, for the cases that broke it: a key reading activities only, a
marketer (no sales), a rep (own records), and a manager (team) whose checks must cost the same
for a page of 5 as of 50."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customization.fields.services import create_definition
from identity.models import Role, Team, User
from modules.activities.models import Activity
from modules.sales.services.quotes import create_quote
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    TimelineEntryFactory,
)
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture

MARKETER_EMAIL = "marketer@links.test"
MANAGER_EMAIL = "manager@links.test"

ACTIVITY_LINKS = """{ activities(first: 10) { edges { node { subject
  deal { name amount owner { email } } lead { fullName } company { name } contact { email } } } } }"""


def _user(email: str, role_key: str) -> User:
    """Call inside ``active()``: a user of a built-in role, in the team of the rep and the admin."""
    user = User.objects.create(email=email, full_name=role_key, role=Role.objects.get(key=role_key))
    Team.objects.get(name="Field sales").members.add(user)
    return user


def _linked_activity(owner: User) -> Activity:
    """Call inside ``active()``: an activity of ``owner`` on a deal, lead, company and contact of ``owner``."""
    company = CompanyFactory(name="Initech", owner=owner)
    contact = ContactFactory(email="peter@initech.example", company=company, owner=owner)
    deal = DealFactory(name="Initech renewal", company=company, contact=contact, owner=owner)
    return ActivityFactory(
        subject="Call Peter", assignee=owner, company=company, contact=contact, deal=deal, lead=LeadFactory(owner=owner)
    )


def test_a_key_with_only_activities_read_gets_activities_without_their_linked_records(alpha: TenantFixture):
    with alpha.active():
        _linked_activity(alpha.user())
    _key, token = issue_key(alpha, scopes=("activities:read",))
    client = bearer_client(alpha, token)

    activities = post_graphql(client, ACTIVITY_LINKS).json()
    deals = post_graphql(client, "{ deals(first: 1) { edges { node { name } } } }").json()
    rest = client.get("/api/v1/activities/").json()["results"]

    assert activities == {
        "data": {
            "activities": {
                "edges": [
                    {"node": {"subject": "Call Peter", "deal": None, "lead": None, "company": None, "contact": None}}
                ]
            }
        }
    }
    assert [error["extensions"]["code"] for error in deals["errors"]] == ["INSUFFICIENT_SCOPE"]
    assert [(row["subject"], row["deal"], row["lead"], row["company"], row["contact"]) for row in rest] == [
        ("Call Peter", None, None, None, None)
    ]


def test_a_role_without_sales_reads_activities_without_their_deals_or_leads(alpha: TenantFixture):
    with alpha.active():
        _user(MARKETER_EMAIL, "marketer")
        activity = _linked_activity(alpha.user())
    client = alpha.client(MARKETER_EMAIL)

    graphql = post_graphql(client, ACTIVITY_LINKS).json()["data"]["activities"]["edges"]
    rest = api_client(alpha, MARKETER_EMAIL).get(f"/api/v1/activities/{activity.pk}/").json()
    page = client.get(reverse("activities:activity-detail", args=[activity.pk])).content.decode()

    assert graphql == [
        {
            "node": {
                "subject": "Call Peter",
                "deal": None,
                "lead": None,
                "company": {"name": "Initech"},
                "contact": {"email": "peter@initech.example"},
            }
        }
    ]
    assert (rest["deal"], rest["lead"], rest["company"]["name"]) == (None, None, "Initech")
    assert "Initech renewal" not in page
    assert 'data-link="deal"' not in page
    assert 'data-link="company"' in page


def test_a_rep_sees_their_records_without_links_to_records_of_others(alpha: TenantFixture):
    with alpha.active():
        rep, admin = alpha.user(REP_EMAIL), alpha.user(ADMIN_EMAIL)
        hidden_company = CompanyFactory(name="Umbrella", owner=admin)
        hidden_contact = ContactFactory(first_name="Albert", last_name="Wesker", owner=admin)
        hidden_deal = DealFactory(name="Umbrella expansion", owner=admin, company=hidden_company)
        contact = ContactFactory(company=hidden_company, owner=rep)
        lead = LeadFactory(
            owner=rep,
            status="converted",
            converted_company=hidden_company,
            converted_contact=hidden_contact,
            converted_deal=hidden_deal,
        )
        quote = create_quote(deal=DealFactory(owner=rep, company=hidden_company, contact=hidden_contact), by=rep)
    rest = api_client(alpha, REP_EMAIL)
    pages = alpha.client(REP_EMAIL)

    rest_contact = rest.get(f"/api/v1/contacts/{contact.pk}/").json()
    rest_lead = rest.get(f"/api/v1/leads/{lead.pk}/").json()
    rest_quote = rest.get(f"/api/v1/quotes/{quote.pk}/").json()
    graphql_lead = post_graphql(
        pages,
        "{ leads(first: 5) { edges { node { convertedCompany { name } convertedContact { fullName }"
        " convertedDeal { name } } } } }",
    ).json()["data"]["leads"]["edges"]
    contact_page = pages.get(reverse("contacts:contact-detail", args=[contact.pk])).content.decode()
    lead_page = pages.get(reverse("sales:lead-detail", args=[lead.pk])).content.decode()
    quote_page = pages.get(reverse("sales:quote-detail", args=[quote.pk])).content.decode()

    assert rest_contact["company"] is None
    assert (rest_lead["converted_company"], rest_lead["converted_contact"], rest_lead["converted_deal"]) == (
        None,
        None,
        None,
    )
    assert (rest_quote["company"], rest_quote["contact"], rest_quote["deal"]["id"]) == (None, None, quote.deal_id)
    assert graphql_lead == [{"node": {"convertedCompany": None, "convertedContact": None, "convertedDeal": None}}]
    for page in (contact_page, lead_page, quote_page):
        assert "Umbrella" not in page
        assert "Wesker" not in page
    assert f"/companies/{hidden_company.pk}/" not in contact_page + lead_page + quote_page


def _activities(alpha: TenantFixture, count: int) -> None:
    with alpha.active():
        owners = [alpha.user(REP_EMAIL), alpha.user(ADMIN_EMAIL)]
        outsider = User.objects.create(email="outsider@links.test", role=Role.objects.get(key="sales_rep"))
        for index in range(count):
            owner = owners[index % 2]
            company = CompanyFactory(owner=outsider if index % 3 == 0 else owner)
            deal = DealFactory(owner=outsider if index % 5 == 0 else owner, company=company)
            ActivityFactory(assignee=owner, company=company, deal=deal, lead=LeadFactory(owner=outsider))


MANAGER_ACTIVITIES = """query($first: Int) { activities(first: $first) { edges { node { subject
  company { name } deal { name company { name } } lead { fullName } } } } }"""


def test_a_team_managers_link_checks_cost_the_same_for_5_and_50_rows(alpha: TenantFixture):
    with alpha.active():
        _user(MANAGER_EMAIL, "manager")
    _activities(alpha, 50)
    client = api_client(alpha, MANAGER_EMAIL)
    post_graphql(client, MANAGER_ACTIVITIES, {"first": 1})  # warm the schema cache and the session

    def run(page_size: int) -> tuple[int, int, list[dict[str, Any]]]:
        with CaptureQueriesContext(connection) as graphql_queries:
            graphql = post_graphql(client, MANAGER_ACTIVITIES, {"first": page_size}).json()
        with CaptureQueriesContext(connection) as rest_queries:
            rest = client.get(f"/api/v1/activities/?page_size={page_size}").json()
        assert "errors" not in graphql
        assert len(rest["results"]) == page_size
        return len(graphql_queries), len(rest_queries), graphql["data"]["activities"]["edges"]

    (graphql_small, rest_small, _five), (graphql_large, rest_large, fifty) = run(5), run(50)

    assert (graphql_small, rest_small) == (graphql_large, rest_large)
    assert {edge["node"]["lead"] for edge in fifty} == {None}  # the outsider's leads
    assert sum(edge["node"]["company"] is None for edge in fifty) == 17  # every third company is the outsider's
    assert sum(edge["node"]["deal"] is None for edge in fifty) == 10  # every fifth deal


def test_a_custom_reference_to_a_deal_is_hidden_from_a_role_without_sales(alpha: TenantFixture):
    with alpha.active():
        _user(MARKETER_EMAIL, "marketer")
        create_definition(
            by=None, entity="contact", key="account_deal", label="Account deal", field_type="reference",
            reference_entity="deal",
        )  # fmt: skip
        deal = DealFactory(name="Hooli enterprise", owner=alpha.user())
        contact = ContactFactory(owner=alpha.user(), custom={"account_deal": deal.pk})

    marketer_rest = api_client(alpha, MARKETER_EMAIL).get(f"/api/v1/contacts/{contact.pk}/").json()
    admin_rest = api_client(alpha).get(f"/api/v1/contacts/{contact.pk}/").json()
    graphql = post_graphql(
        alpha.client(MARKETER_EMAIL), "{ contacts(first: 1) { edges { node { custom { accountDeal { name } } } } } }"
    ).json()["data"]["contacts"]["edges"]
    page = alpha.client(MARKETER_EMAIL).get(reverse("contacts:contact-detail", args=[contact.pk])).content.decode()

    assert marketer_rest["custom"] == {"account_deal": None}
    assert admin_rest["custom"] == {"account_deal": deal.pk}
    assert graphql == [{"node": {"custom": {"accountDeal": None}}}]
    assert "Hooli enterprise" not in page
    assert f"#{deal.pk}" in page


def test_a_reps_timeline_names_no_activity_of_others(alpha: TenantFixture):
    with alpha.active():
        rep, admin = alpha.user(REP_EMAIL), alpha.user(ADMIN_EMAIL)
        company = CompanyFactory(owner=rep)
        theirs = ActivityFactory(subject="Board-only briefing", assignee=admin, company=company)
        mine = ActivityFactory(subject="Site visit", assignee=rep, company=company)
        for activity in (theirs, mine):
            TimelineEntryFactory(kind="activity", company=company, activity=activity)
    path = reverse("contacts:timeline", args=["company", company.pk])

    as_rep = alpha.client(REP_EMAIL).get(path).content.decode()
    as_admin = alpha.client().get(path).content.decode()
    rest = api_client(alpha, REP_EMAIL).get(f"/api/v1/companies/{company.pk}/timeline/").json()["results"]

    assert "Site visit" in as_rep
    assert "Board-only briefing" not in as_rep
    assert "Board-only briefing" in as_admin
    assert sorted((entry["activity"] or {}).get("subject", "-") for entry in rest) == ["-", "Site visit"]
