"""GraphQL: tenant beta's admin aims at tenant alpha's global ids and gets nothing; alpha is unchanged."""

from graphql_relay import to_global_id

from tenants.middleware import read_only_message
from tenants.services.lifecycle import transition_tenant
from tests.api.helpers import post_graphql
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot


def test_beta_cannot_read_or_change_alphas_records_by_global_id(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Alpha secret", owner=alpha.user())
        # Ids beyond any of beta's rows: beta has nothing with these ids, alpha does.
        contact = ContactFactory(owner=alpha.user(), company=company)
        lead = LeadFactory(owner=alpha.user())
        deal = DealFactory(owner=alpha.user(), company=company)
        activity = ActivityFactory(assignee=alpha.user(), company=company)
    ids = {
        "Company": to_global_id("Company", company.pk),
        "Contact": to_global_id("Contact", contact.pk),
        "Lead": to_global_id("Lead", lead.pk),
        "Deal": to_global_id("Deal", deal.pk),
        "Activity": to_global_id("Activity", activity.pk),
    }
    intruder = beta.client()
    before = schema_snapshot(alpha.tenant)

    nodes = [
        post_graphql(intruder, "query($id: ID!) { node(id: $id) { id } }", {"id": global_id}).json()
        for global_id in ids.values()
    ]
    listed = post_graphql(intruder, "{ companies { totalCount } contacts { totalCount } deals { totalCount } }").json()
    mutations = [
        post_graphql(intruder, query, {"id": ids[type_name]})
        for type_name, query in [
            ("Company", 'mutation($id: ID!) { companyUpdate(id: $id, input: {name: "Owned"}) { errors { code } } }'),
            ("Contact", "mutation($id: ID!) { contactDelete(id: $id) { errors { code } } }"),
            ("Lead", "mutation($id: ID!) { leadConvert(id: $id) { errors { code } } }"),
            ("Deal", "mutation($id: ID!) { dealDelete(id: $id) { errors { code } } }"),
            ("Activity", "mutation($id: ID!) { activityComplete(id: $id) { errors { code } } }"),
            (
                "Company",
                'mutation($id: ID!) { contactCreate(input: {lastName: "X", company: $id}) { errors { field code } } }',
            ),
        ]
    ]

    assert nodes == [{"data": {"node": None}}] * 5
    assert listed == {
        "data": {"companies": {"totalCount": 0}, "contacts": {"totalCount": 0}, "deals": {"totalCount": 0}}
    }
    assert [next(iter(response.json()["data"].values()))["errors"] for response in mutations] == [
        [{"code": "NOT_FOUND"}],
        [{"code": "NOT_FOUND"}],
        [{"code": "NOT_FOUND"}],
        [{"code": "NOT_FOUND"}],
        [{"code": "NOT_FOUND"}],
        [{"field": "company", "code": "NOT_FOUND"}],
    ]
    assert schema_snapshot(alpha.tenant) == before


def test_a_suspended_tenant_reads_records_but_refuses_record_mutations(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Kept", owner=alpha.user())
    transition_tenant(alpha.tenant, "suspended", actor="test")  # rolled back with the test
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    listed = post_graphql(client, "{ companies { edges { node { name } } } }")
    updated = post_graphql(
        client,
        'mutation($id: ID!) { companyUpdate(id: $id, input: {name: "Changed"}) { errors { code } } }',
        {"id": to_global_id("Company", company.pk)},
    )

    assert listed.json() == {"data": {"companies": {"edges": [{"node": {"name": "Kept"}}]}}}
    assert updated.status_code == 400
    assert updated.json() == {
        "errors": [{"message": read_only_message(alpha.tenant), "extensions": {"code": "TENANT_READ_ONLY"}}]
    }
    assert schema_snapshot(alpha.tenant) == before


def test_links_reached_through_another_record_obey_visibility_too(alpha: TenantFixture):
    rep, admin = alpha.user(REP_EMAIL), alpha.user()
    with alpha.active():
        theirs = CompanyFactory(name="Admin's company", owner=admin)
        deal = DealFactory(name="Rep's deal", owner=rep, company=theirs)
        ActivityFactory(subject="Rep's call", assignee=rep, deal=deal, company=theirs)
    query = "{ activities { edges { node { subject company { name } deal { name company { name } } } } } }"

    as_rep = post_graphql(alpha.client(REP_EMAIL), query).json()
    as_admin = post_graphql(alpha.client(), query).json()

    assert as_rep["data"]["activities"]["edges"] == [
        {"node": {"subject": "Rep's call", "company": None, "deal": {"name": "Rep's deal", "company": None}}}
    ]
    assert as_admin["data"]["activities"]["edges"] == [
        {
            "node": {
                "subject": "Rep's call",
                "company": {"name": "Admin's company"},
                "deal": {"name": "Rep's deal", "company": {"name": "Admin's company"}},
            }
        }
    ]
