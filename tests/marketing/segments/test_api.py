"""REST /api/v1/segments/ (with members, static-list changes and the preview) and the GraphQL
segments: writes through the services with their events, rule errors keyed by path for any JSON,
permissions, scopes, the plan, the link rule, tenant isolation and query counts."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import pytest
from graphql_relay import to_global_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customization.events.models import DomainEvent
from identity.models import Role
from identity.services.accounts import ensure_user
from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment, SegmentMember
from modules.marketing.segments import preview, services
from modules.marketing.segments.membership import ENTERED, LEFT
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import ContactFactory
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, grant
from tests.tenancy import schema_snapshot as _schema_snapshot

PARIS = {"match": "all", "conditions": [{"type": "contact", "field": "city", "op": "eq", "value": "Paris"}]}
_names = count(1)


def make_list(alpha: TenantFixture, *contacts: Any, name: str = "Fair visitors") -> Segment:
    with alpha.active():
        segment = services.create_segment(by=alpha.user(), name=name, kind=SegmentKind.STATIC)
        if contacts:
            services.add_to_list(segment, contacts, by=None)
        return segment


def test_segments_and_static_lists_are_written_through_rest(alpha: TenantFixture):
    with alpha.active():
        ana, bob = ContactFactory(city="Paris"), ContactFactory(city="Lyon")
        DomainEvent.objects.all().delete()
    client = api_client(alpha)

    dynamic = post(client, "/api/v1/segments/", {"name": " Paris  people ", "rules": PARIS})
    static = post(client, "/api/v1/segments/", {"name": "Fair visitors", "kind": "static"})
    list_id = static.json()["id"]
    added = post(client, f"/api/v1/segments/{list_id}/members/", {"contacts": [ana.pk, bob.pk]})
    again = post(client, f"/api/v1/segments/{list_id}/members/", {"contacts": [ana.pk]})
    removed = post(client, f"/api/v1/segments/{list_id}/members/remove/", {"contacts": [bob.pk]})
    members = client.get(f"/api/v1/segments/{list_id}/members/").json()["results"]
    refused = post(client, f"/api/v1/segments/{dynamic.json()['id']}/members/", {"contacts": [ana.pk]})
    kind_changed = patch(client, f"/api/v1/segments/{list_id}/", {"kind": "dynamic"})
    renamed = patch(client, f"/api/v1/segments/{list_id}/", {"description": "Met at the fair"})
    of_ana = client.get(f"/api/v1/segments/?contact={ana.pk}").json()["results"]

    assert dynamic.status_code == 201, dynamic.content
    assert (dynamic.json()["name"], dynamic.json()["kind"], dynamic.json()["rules"]) == (
        "Paris people", "dynamic", PARIS
    )  # fmt: skip
    assert static.status_code == 201, static.content
    assert added.json() == {"changed": 2, "member_count": 2}
    assert again.json() == {"changed": 0, "member_count": 2}
    assert removed.json() == {"changed": 1, "member_count": 1}
    assert [(row["contact"]["id"], row["source"]) for row in members] == [(ana.pk, "manual")]
    assert refused.status_code == 400
    assert field_names(refused) == ["contacts"]
    assert "dynamic" in refused.json()["errors"][0]["message"]
    assert kind_changed.status_code == 400
    assert field_names(kind_changed) == ["kind"]
    assert renamed.json()["description"] == "Met at the fair"
    assert [row["id"] for row in of_ana] == [list_id]
    with alpha.active():
        events = list(DomainEvent.objects.filter(type__in=[ENTERED, LEFT]).values_list("type", "record_id"))
    assert sorted(events) == sorted([(ENTERED, ana.pk), (ENTERED, bob.pk), (LEFT, bob.pk)])

    deleted = client.delete(f"/api/v1/segments/{list_id}/")
    assert deleted.status_code == 204
    with alpha.active():
        assert not Segment.objects.filter(pk=list_id).exists()
        assert not SegmentMember.objects.filter(segment_id=list_id).exists()


def test_wrong_rules_and_fields_are_400s_keyed_by_path_and_write_nothing(alpha: TenantFixture):
    segment = make_list(alpha)
    client = api_client(alpha)
    before = business_snapshot(alpha)
    wrong_value = {"match": "any", "conditions": [
        {"type": "contact", "field": "city", "op": "eq", "value": "Paris"},
        {"match": "all", "conditions": [{"type": "contact", "field": "created_at", "op": "in_last_days",
                                         "value": "soon"}]},
    ]}  # fmt: skip
    cases: list[tuple[str, dict[str, Any], set[str]]] = [
        ("/api/v1/segments/", {"name": "Nested", "rules": wrong_value}, {"rules.conditions[1].conditions[0].value"}),
        ("/api/v1/segments/", {"name": "Mode", "rules": {"match": "most", "conditions": []}}, {"rules.match"}),
        ("/api/v1/segments/", {"name": "Kind", "rules": {"conditions": [{"type": "weather"}]}},
         {"rules.conditions[0].type"}),
        ("/api/v1/segments/", {"name": "Shape", "rules": [1, 2]}, {"rules"}),
        ("/api/v1/segments/", {"name": "Nul\x00"}, {"name"}),
        ("/api/v1/segments/", {"name": "x" * 201}, {"name"}),
        ("/api/v1/segments/", {"name": "Fair visitors"}, {"name"}),
        ("/api/v1/segments/", {"name": "Sort", "kind": "alphabetical"}, {"kind"}),
        (f"/api/v1/segments/{segment.pk}/members/", {"contacts": [99_999_999]}, {"contacts"}),
        (f"/api/v1/segments/{segment.pk}/members/", {"contacts": []}, {"contacts"}),
        (f"/api/v1/segments/{segment.pk}/members/", {"contacts": ["x"]}, {"contacts.0"}),
        (f"/api/v1/segments/{segment.pk}/members/remove/", {"contacts": [2**70]}, {"contacts.0"}),
        ("/api/v1/segments/preview/", {"rules": {"conditions": [{"type": "tag", "op": "any"}]}},
         {"rules.conditions[0].tags"}),
    ]  # fmt: skip
    for path, body, fields in cases:
        response = post(client, path, body)
        assert response.status_code == 400, (body, response.content)
        assert set(field_names(response)) == fields, (body, response.json())
    assert business_snapshot(alpha) == before


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
_keys = st.sampled_from(["type", "op", "field", "value", "match", "conditions", "days", "tags", "amount", "count"])
_condition = st.dictionaries(_keys, _json | st.sampled_from(["contact", "company", "order", "tag", "eq", "in", "all"]))


@settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=_json | st.fixed_dictionaries({"match": _json, "conditions": st.lists(_condition, max_size=4)}))
def test_any_json_as_rules_is_saved_or_refused_with_a_400_never_a_500(alpha: TenantFixture, raw: Any):
    client = api_client(alpha)
    response = post(client, "/api/v1/segments/", {"name": f"Fuzzed {next(_names)}", "rules": raw})
    assert response.status_code in (201, 400), (raw, response.content)
    if response.status_code == 400:
        assert all(name == "rules" or name.startswith("rules.") for name in field_names(response)), response.json()


def test_the_preview_counts_unsaved_rules_within_the_builders_limit(
    alpha: TenantFixture, monkeypatch: pytest.MonkeyPatch
):
    with alpha.active():
        ContactFactory(first_name="Ana", city="Paris")
        ContactFactory(first_name="Dan", city="paris")
        ContactFactory(first_name="Bob", city="Berlin")
    client = api_client(alpha)

    response = post(client, "/api/v1/segments/preview/", {"rules": PARIS})
    monkeypatch.setattr(preview, "PREVIEW_PER_MINUTE", 1)
    limited = post(client, "/api/v1/segments/preview/", {"rules": PARIS})

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 2
    assert sorted(row["full_name"].split()[0] for row in response.json()["contacts"]) == ["Ana", "Dan"]
    assert limited.status_code == 429
    with alpha.active():
        assert not Segment.objects.exists()


def test_roles_keys_and_plans_without_marketing_are_refused(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory()
    segment = make_list(alpha, contact)
    with alpha.active():
        role = Role.objects.create(key="no_marketing", name="No marketing", record_visibility="all",
                                   permissions=["contacts.view"])  # fmt: skip
        ensure_user(email="nomarketing@example.test", password=PASSWORD, role=role, full_name="No Marketing")
    without_view = api_client(alpha, "nomarketing@example.test")
    _key, sales_only = issue_key(alpha, scopes=("sales:read", "sales:write"))
    _key, read_only = issue_key(alpha, scopes=("marketing:read", "contacts:read"), name="Reader")
    reader = bearer_client(alpha, read_only)
    query = "{ segments(first: 5) { edges { node { name } } } }"
    before = business_snapshot(alpha)

    for path in ("/api/v1/segments/", f"/api/v1/segments/{segment.pk}/members/"):
        assert without_view.get(path).status_code == 403, path
        assert bearer_client(alpha, sales_only).get(path).status_code == 403, path
        assert reader.get(path).status_code == 200, path
    assert post(without_view, "/api/v1/segments/preview/", {"rules": PARIS}).status_code == 403
    assert "errors" in post_graphql(bearer_client(alpha, sales_only), query).json()
    assert (
        reader.post("/api/v1/segments/preview/", {"rules": PARIS}, content_type="application/json").status_code == 200
    )
    for path, body in (
        ("/api/v1/segments/", {"name": "By a reader"}),
        (f"/api/v1/segments/{segment.pk}/members/", {"contacts": [contact.pk]}),
        (f"/api/v1/segments/{segment.pk}/members/remove/", {"contacts": [contact.pk]}),
    ):
        refused = reader.post(path, body, content_type="application/json")
        assert refused.status_code == 403, path
        assert "marketing:write" in refused.json()["detail"]
    assert reader.delete(f"/api/v1/segments/{segment.pk}/").status_code == 403
    mutation = f'mutation {{ segmentDelete(id: "{to_global_id("Segment", segment.pk)}") {{ errors {{ code }} }} }}'
    assert post_graphql(reader, mutation).json()["data"]["segmentDelete"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert business_snapshot(alpha) == before

    alpha.tenant.enabled_modules = [key for key in alpha.tenant.enabled_modules if key != "marketing"]
    alpha.tenant.save()
    response = api_client(alpha).get("/api/v1/segments/")
    assert response.status_code == 403
    assert response.json()["type"].endswith("module-not-in-plan")
    assert post_graphql(alpha.client(), query).json()["errors"][0]["extensions"]["code"] == "MODULE_NOT_IN_PLAN"


def test_a_member_the_caller_may_not_see_reads_as_null(alpha: TenantFixture):
    grant(alpha, "sales_rep", "marketing.view", "marketing.change")
    with alpha.active():
        hidden, own = ContactFactory(owner=alpha.user()), ContactFactory(owner=alpha.user(REP_EMAIL))
    segment = make_list(alpha, hidden, own)
    rep = api_client(alpha, REP_EMAIL)

    members = rep.get(f"/api/v1/segments/{segment.pk}/members/").json()["results"]
    of_hidden = rep.get(f"/api/v1/segments/?contact={hidden.pk}").json()["results"]
    of_own = rep.get(f"/api/v1/segments/?contact={own.pk}").json()["results"]
    adding_hidden = post(rep, f"/api/v1/segments/{segment.pk}/members/remove/", {"contacts": [hidden.pk]})
    graphql = post_graphql(
        alpha.client(REP_EMAIL),
        f'{{ node(id: "{to_global_id("Segment", segment.pk)}") {{ ... on Segment {{ memberCount '
        "members(first: 5) { edges { node { contact { id } } } } } } }",
    ).json()["data"]["node"]

    assert sorted((row["contact"] or {}).get("id", 0) for row in members) == [0, own.pk]
    assert of_hidden == []
    assert [row["id"] for row in of_own] == [segment.pk]
    assert adding_hidden.status_code == 400
    assert field_names(adding_hidden) == ["contacts"]
    assert graphql["memberCount"] == 2
    assert sorted(edge["node"]["contact"] is None for edge in graphql["members"]["edges"]) == [False, True]


def test_segments_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        contact = ContactFactory()
    segment = make_list(alpha, contact)
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/segments/{segment.pk}/", {}),
        ("patch", f"/api/v1/segments/{segment.pk}/", {"name": "stolen"}),
        ("delete", f"/api/v1/segments/{segment.pk}/", {}),
        ("get", f"/api/v1/segments/{segment.pk}/members/", {}),
        ("post", f"/api/v1/segments/{segment.pk}/members/", {"contacts": [contact.pk]}),
        ("post", f"/api/v1/segments/{segment.pk}/members/remove/", {"contacts": [contact.pk]}),
    ])  # fmt: skip
    node = post_graphql(beta.client(), f'{{ node(id: "{to_global_id("Segment", segment.pk)}") {{ id }} }}').json()
    assert node["data"]["node"] is None


def test_graphql_reads_and_writes_segments_and_list_members(alpha: TenantFixture):
    with alpha.active():
        ana, bob = ContactFactory(), ContactFactory()
    client = alpha.client()
    ids = json.dumps([to_global_id("Contact", ana.pk), to_global_id("Contact", bob.pk)])

    created = post_graphql(
        client,
        'mutation { segmentCreate(input: {name: "GraphQL list", kind: STATIC}) '
        "{ segment { id kind } errors { field } } }",
    ).json()["data"]["segmentCreate"]
    list_id = created["segment"]["id"]
    added = post_graphql(
        client,
        f'mutation {{ segmentMembersAdd(id: "{list_id}", contacts: {ids}) {{ changed segment {{ memberCount }} }} }}',
    ).json()["data"]["segmentMembersAdd"]
    removed = post_graphql(
        client,
        f'mutation {{ segmentMembersRemove(id: "{list_id}", contacts: {json.dumps([to_global_id("Contact", bob.pk)])})'
        " { changed errors { field } } }",
    ).json()["data"]["segmentMembersRemove"]
    dynamic = post_graphql(
        client,
        'mutation($rules: GenericScalar) { segmentCreate(input: {name: "Parisians", rules: $rules}) '
        "{ segment { id kind rules } errors { field } } }",
        {"rules": PARIS},
    ).json()["data"]["segmentCreate"]
    wrong = post_graphql(
        client,
        "mutation($id: ID!, $rules: GenericScalar) { segmentUpdate(id: $id, input: {rules: $rules}) "
        "{ errors { field code } } }",
        {"id": dynamic["segment"]["id"], "rules": {"conditions": [{"type": "contact", "field": "nope", "op": "eq"}]}},
    ).json()["data"]["segmentUpdate"]
    refused = post_graphql(
        client,
        f'mutation {{ segmentMembersAdd(id: "{dynamic["segment"]["id"]}", contacts: {ids}) {{ errors {{ field }} }} }}',
    ).json()["data"]["segmentMembersAdd"]
    listed = post_graphql(
        client,
        f'{{ segments(first: 5, kind: STATIC, contact: "{to_global_id("Contact", ana.pk)}") '
        "{ edges { node { name members(first: 5) { edges { node { source contact { id } } } } } } } }",
    ).json()["data"]["segments"]["edges"]

    assert created["errors"] == []
    assert created["segment"]["kind"] == "STATIC"
    assert added == {"changed": 2, "segment": {"memberCount": 2}}
    assert removed == {"changed": 1, "errors": []}
    assert dynamic["errors"] == []
    assert dynamic["segment"]["rules"] == PARIS
    assert wrong["errors"] == [{"field": "rules.conditions[0].field", "code": "INVALID"}]
    assert refused["errors"] == [{"field": "id"}]
    assert listed == [{"node": {"name": "GraphQL list", "members": {"edges": [
        {"node": {"source": "MANUAL", "contact": {"id": to_global_id("Contact", ana.pk)}}}
    ]}}}]  # fmt: skip


def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture):
    with alpha.active():
        contacts = ContactFactory.create_batch(5)
    segment = make_list(alpha, *contacts)
    for number in range(4):
        make_list(alpha, name=f"Few {number}")
    client = api_client(alpha)
    graphql = (
        "{ segments(first: 100) { edges { node { name owner { email } "
        "members(first: 50) { edges { node { contact { fullName } } } } } } } }"
    )
    few, _response = queries_for(client, "/api/v1/segments/?page_size=100")
    few_members, _response = queries_for(client, f"/api/v1/segments/{segment.pk}/members/?page_size=100")
    few_graphql = _graphql_queries(alpha, graphql)
    with alpha.active():
        services.add_to_list(segment, ContactFactory.create_batch(45), by=None)
    for number in range(45):
        make_list(alpha, name=f"Many {number}")
    many, response = queries_for(client, "/api/v1/segments/?page_size=100")
    many_members, members = queries_for(client, f"/api/v1/segments/{segment.pk}/members/?page_size=100")

    assert len(response.json()["results"]) == 50
    assert len(members.json()["results"]) == 50
    assert many == few
    assert many_members == few_members
    assert _graphql_queries(alpha, graphql) == few_graphql


def _graphql_queries(alpha: TenantFixture, query: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = alpha.client()
    with CaptureQueriesContext(connection) as captured:
        response = post_graphql(client, query)
    assert "errors" not in response.json(), response.json()
    return len(captured.captured_queries)


def business_snapshot(alpha: TenantFixture) -> dict[str, str]:
    """The tenant's tables but the identity ones (signing in and key use stamp their rows)."""
    return {
        table: digest for table, digest in _schema_snapshot(alpha.tenant).items() if not table.startswith("identity_")
    }
