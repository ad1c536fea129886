"""Consent through REST: topics (marketing.admin writes), consents granted and withdrawn with the
caller as proof, the read-only history, the suppression list (search, add, remove audited); bad
input, roles, key scopes, the plan, another tenant, the link rule and query counts."""

from __future__ import annotations

from graphql_relay import to_global_id

from identity.models import AuditEntry, Role
from identity.services.accounts import ensure_user
from modules.marketing.consent.choices import ConsentAction, ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.consent.services import record_consent, suppress
from modules.marketing.models import Suppression, Topic
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
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory
from tests.marketing.consent.conftest import make_topic, written
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, grant, schema_snapshot


def test_topics_are_written_by_admins_and_kept_when_they_have_history(alpha: TenantFixture) -> None:
    client = api_client(alpha)

    created = post(client, "/api/v1/topics/", {"key": "events", "name": "Events"})
    pk = created.json()["id"]
    changed = patch(client, f"/api/v1/topics/{pk}/", {"name": "Events and fairs", "position": 3})
    unused = post(client, "/api/v1/topics/", {"key": "spare", "name": "Spare"}).json()["id"]
    with alpha.active():
        record_consent(ContactFactory(), Topic.objects.get(pk=pk), granted=True, source="form", proof={})
    kept = client.delete(f"/api/v1/topics/{pk}/")
    removed = client.delete(f"/api/v1/topics/{unused}/")
    offered = client.get("/api/v1/topics/?is_active=true").json()["results"]

    assert created.status_code == 201, created.content
    shown = changed.json()
    assert (shown["name"], shown["position"], shown["key"]) == ("Events and fairs", 3, "events")
    assert kept.status_code == 400
    assert field_names(kept) == ["topic"]
    assert removed.status_code == 204
    assert [row["key"] for row in offered] == ["events"]
    with alpha.active():
        assert AuditEntry.objects.filter(action__startswith="marketing.topic_").count() == 4


def test_a_consent_is_granted_and_withdrawn_with_the_caller_as_proof(alpha: TenantFixture) -> None:
    with alpha.active():
        topic, contact = make_topic(), ContactFactory(email="ana@people.example")
    key, token = issue_key(alpha, scopes=("marketing:write", "contacts:read"))
    client = bearer_client(alpha, token)
    body = {"contact": contact.pk, "topic": topic.pk, "status": "granted", "proof": {"note": "Asked at the fair"}}

    granted = post(client, "/api/v1/consents/", body)
    again = post(client, "/api/v1/consents/", body)
    withdrawn = post(client, "/api/v1/consents/", {**body, "status": "withdrawn", "proof": {}})
    listed = client.get(f"/api/v1/consents/?contact={contact.pk}").json()["results"]
    history = client.get(f"/api/v1/consent-events/?contact={contact.pk}").json()["results"]

    assert granted.status_code == 200, granted.content
    assert granted.json()["status"] == "granted"
    assert granted.json()["source"] == "api"
    assert granted.json()["contact"] == {"id": contact.pk, "full_name": contact.full_name}
    assert granted.json()["topic"] == {"id": topic.pk, "key": "newsletter", "name": "Newsletter"}
    assert again.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert [(row["topic"]["id"], row["status"]) for row in listed] == [(topic.pk, "withdrawn")]
    assert [row["action"] for row in history] == ["withdrawn", "granted"]  # newest first; the repeat recorded nothing
    assert history[1]["proof"]["note"] == "Asked at the fair"
    assert history[1]["proof"]["credential"] == f"key:{key.pk}"
    assert history[1]["actor"]["email"] == key.user.email
    with alpha.active():
        assert Consent.objects.get(contact=contact).status == ConsentStatus.WITHDRAWN
        assert ConsentEvent.objects.filter(contact=contact, source=ConsentSource.API).count() == 2


def test_bad_input_is_a_400_naming_the_field_and_records_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        topic, contact = make_topic(), ContactFactory()
        retired = Topic.objects.create(key="retired", name="Retired", is_active=False)
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)
    consent = {"contact": contact.pk, "topic": topic.pk, "status": "granted"}
    cases = [
        ("/api/v1/topics/", {"key": "a b", "name": "x"}, "key"),
        ("/api/v1/topics/", {"key": "nul", "name": "x\x00"}, "name"),
        ("/api/v1/topics/", {"key": "huge", "name": "x" * 5000}, "name"),
        ("/api/v1/topics/", {"key": "far", "name": "x", "position": 9 * 10**30}, "position"),
        ("/api/v1/topics/", {"key": "newsletter", "name": "Again"}, "key"),
        ("/api/v1/consents/", {**consent, "contact": 99_999_999}, "contact"),
        ("/api/v1/consents/", {**consent, "contact": None}, "contact"),
        ("/api/v1/consents/", {**consent, "topic": retired.pk}, "topic"),
        ("/api/v1/consents/", {**consent, "status": "pending"}, "status"),
        ("/api/v1/consents/", {**consent, "proof": {"note": "x\x00"}}, "proof"),
        ("/api/v1/consents/", {**consent, "proof": {"nested": {"a": 1}}}, "proof"),
        ("/api/v1/consents/", {**consent, "proof": {f"part{index}": "x" * 900 for index in range(20)}}, "proof"),
        ("/api/v1/suppressions/", {"email": "not an address"}, "email"),
        ("/api/v1/suppressions/", {"email": "nul\x00@people.example"}, "email"),
        ("/api/v1/suppressions/", {"email": "a@people.example", "detail": "x" * 5000}, "detail"),
        ("/api/v1/suppressions/", {"email": "a@people.example", "reason": "bored"}, "reason"),
    ]
    for path, body, field in cases:
        response = post(client, path, body)
        assert response.status_code == 400, (body, response.content)
        assert field in field_names(response), (body, response.json())
    assert client.get("/api/v1/suppressions/?search=a\x00b").status_code == 400
    assert client.get("/api/v1/consent-events/?occurred_after=99999-01-01T00:00:00Z").status_code == 400
    assert schema_snapshot(alpha.tenant) == before


def test_roles_keys_and_plans_without_the_permission_are_refused(alpha: TenantFixture) -> None:
    with alpha.active():
        topic, contact = make_topic(), ContactFactory(owner=alpha.user(REP_EMAIL))
        row = suppress("kept@people.example", reason="manual", source="test")
        role = Role.objects.create(key="no_marketing", name="No marketing", record_visibility="all",
                                   permissions=["contacts.view"])  # fmt: skip
        ensure_user(email="nomarketing@example.test", password=PASSWORD, role=role, full_name="No Marketing")
    grant(alpha, "sales_rep", "marketing.view", "marketing.change")
    rep = api_client(alpha, REP_EMAIL)
    outsider = api_client(alpha, "nomarketing@example.test")
    _key, read_only = issue_key(alpha, scopes=("marketing:read", "contacts:read"))
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales")
    reader, seller = bearer_client(alpha, read_only), bearer_client(alpha, sales_only)
    consent = {"contact": contact.pk, "topic": topic.pk, "status": "granted"}
    before = written(alpha)

    for path in ("/api/v1/topics/", "/api/v1/consents/", "/api/v1/consent-events/", "/api/v1/suppressions/"):
        assert outsider.get(path).status_code == 403, path
        assert seller.get(path).status_code == 403, path
        assert rep.get(path).status_code == 200, path
        assert reader.get(path).status_code == 200, path
    assert post(rep, "/api/v1/topics/", {"key": "x", "name": "x"}).status_code == 403
    assert patch(rep, f"/api/v1/topics/{topic.pk}/", {"name": "x"}).status_code == 403
    assert rep.delete(f"/api/v1/topics/{topic.pk}/").status_code == 403
    assert post(rep, "/api/v1/topics/bulk/", {"items": [{"key": "x", "name": "x"}]}).status_code == 403
    assert post(rep, "/api/v1/suppressions/", {"email": "a@people.example"}).status_code == 403
    assert rep.delete(f"/api/v1/suppressions/{row.pk}/").status_code == 403
    assert post(outsider, "/api/v1/consents/", consent).status_code == 403
    refused = post(reader, "/api/v1/consents/", consent)
    assert refused.status_code == 403
    assert "marketing:write" in refused.json()["detail"]
    assert written(alpha) == before
    assert post(rep, "/api/v1/consents/", consent).status_code == 200  # marketing.change, as on the page

    without_modules(alpha, "marketing")
    response = api_client(alpha).get("/api/v1/topics/")
    assert response.status_code == 403
    assert response.json()["type"].endswith("module-not-in-plan")


def test_consents_follow_the_contacts_visibility_and_the_link_rule(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "marketing.view", "marketing.change")
    with alpha.active():
        topic = make_topic()
        mine = ContactFactory(owner=alpha.user(REP_EMAIL))
        hidden = ContactFactory(owner=alpha.user())
        for contact in (mine, hidden):
            record_consent(contact, topic, granted=True, source="form", proof={})
    rep = api_client(alpha, REP_EMAIL)
    _key, no_contacts = issue_key(alpha, scopes=("marketing:read",), name="Marketing only")

    consents = rep.get("/api/v1/consents/").json()["results"]
    events = rep.get("/api/v1/consent-events/").json()["results"]
    unseen = post(rep, "/api/v1/consents/", {"contact": hidden.pk, "topic": topic.pk, "status": "withdrawn"})
    unlinked = bearer_client(alpha, no_contacts).get("/api/v1/consents/").json()["results"]

    assert [row["contact"]["id"] for row in consents] == [mine.pk]
    assert [row["contact"]["id"] for row in events] == [mine.pk]
    assert unseen.status_code == 400
    assert field_names(unseen) == ["contact"]
    assert {row["contact"] for row in unlinked} == {None}
    assert len(unlinked) == 2


def test_the_suppression_list_is_searched_added_to_and_removed_from_with_an_audit(alpha: TenantFixture) -> None:
    with alpha.active():
        topic = make_topic()
        contact = ContactFactory(email="Gone@People.example")
        record_consent(contact, topic, granted=True, source="form", proof={})
        suppress("other@elsewhere.example", reason="hard_bounce", source="provider")
    client = api_client(alpha)

    added = post(client, "/api/v1/suppressions/", {"email": "gone@people.example", "detail": "Asked by phone"})
    found = client.get("/api/v1/suppressions/?search=PEOPLE").json()["results"]
    bounced = client.get("/api/v1/suppressions/?reason=hard_bounce").json()["results"]
    removed = client.delete(f"/api/v1/suppressions/{added.json()['id']}/")
    history = client.get(f"/api/v1/consent-events/?contact={contact.pk}").json()["results"]

    assert added.status_code == 201, added.content
    assert (added.json()["reason"], added.json()["source"]) == ("manual", alpha.user().email)
    assert [row["email"] for row in found] == ["gone@people.example"]
    assert [row["email"] for row in bounced] == ["other@elsewhere.example"]
    assert removed.status_code == 204
    assert [row["action"] for row in history] == [
        ConsentAction.UNSUPPRESSED, ConsentAction.SUPPRESSED, ConsentAction.GRANTED,
    ]  # fmt: skip
    with alpha.active():
        assert not Suppression.objects.filter(email="gone@people.example").exists()
        assert Consent.objects.get(contact=contact).status == ConsentStatus.WITHDRAWN  # consent has to be given anew
        assert AuditEntry.objects.filter(action="marketing.unsuppressed", target="suppression:gone@people.example")


def test_another_tenants_consent_records_are_out_of_reach(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        topic, contact = make_topic(), ContactFactory(email="alpha@people.example")
        consent = record_consent(contact, topic, granted=True, source="form", proof={})
        event = ConsentEvent.objects.get(contact=contact)
        row = suppress("alpha@people.example", reason="manual", source="test")
    assert consent is not None
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/topics/{topic.pk}/", {}),
        ("patch", f"/api/v1/topics/{topic.pk}/", {"name": "stolen"}),
        ("delete", f"/api/v1/topics/{topic.pk}/", {}),
        ("get", f"/api/v1/consents/{consent.pk}/", {}),
        ("get", f"/api/v1/consent-events/{event.pk}/", {}),
        ("get", f"/api/v1/suppressions/{row.pk}/", {}),
        ("delete", f"/api/v1/suppressions/{row.pk}/", {}),
    ])  # fmt: skip
    before = schema_snapshot(alpha.tenant)
    stolen = post(api_client(beta), "/api/v1/consents/", {"contact": contact.pk, "topic": topic.pk,
                                                           "status": "withdrawn"})  # fmt: skip
    assert stolen.status_code == 400
    assert schema_snapshot(alpha.tenant) == before


def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture) -> None:
    def add(count: int) -> None:
        with alpha.active():
            topic = make_topic(f"t{Topic.objects.count()}", "Topic")
            for contact in ContactFactory.create_batch(count):
                record_consent(contact, topic, granted=True, source="form", proof={"note": "batch"})
                suppress(f"s{contact.pk}@people.example", reason="manual", source="test")

    client = api_client(alpha)
    paths = ["/api/v1/consents/", "/api/v1/consent-events/", "/api/v1/suppressions/", "/api/v1/topics/"]
    add(5)
    few = [queries_for(client, f"{path}?page_size=100")[0] for path in paths]
    add(45)
    many = [queries_for(client, f"{path}?page_size=100") for path in paths]

    assert [count for count, _response in many] == few
    assert len(many[0][1].json()["results"]) == 50


def test_graphql_reads_and_records_consent_and_suppressions(alpha: TenantFixture) -> None:
    with alpha.active():
        topic, contact = make_topic(), ContactFactory(email="gql@people.example")
    client = alpha.client()
    contact_id, topic_id = to_global_id("Contact", contact.pk), to_global_id("Topic", topic.pk)

    recorded = post_graphql(
        client,
        f"""mutation {{ consentRecord(contact: "{contact_id}", topic: "{topic_id}", status: GRANTED,
        proof: {{note: "By phone"}}) {{ consent {{ status source contact {{ id }} topic {{ key }} }}
        errors {{ field }} }} }}""",
    ).json()["data"]["consentRecord"]
    bad_proof = post_graphql(
        client,
        f"""mutation {{ consentRecord(contact: "{contact_id}", topic: "{topic_id}", status: WITHDRAWN,
        proof: {{note: {{deep: 1}}}}) {{ errors {{ field }} }} }}""",
    ).json()["data"]["consentRecord"]
    added = post_graphql(
        client,
        """mutation { suppressionAdd(email: "gql@people.example", reason: COMPLAINT) {
        suppression { id email reason } errors { field } } }""",
    ).json()["data"]["suppressionAdd"]
    bad_topic = post_graphql(
        client, """mutation { topicCreate(input: {key: "a b", name: "x"}) { errors { field } } }"""
    ).json()["data"]["topicCreate"]
    no_key = post_graphql(
        client, """mutation { topicCreate(input: {description: "Left out"}) { errors { field } } }"""
    ).json()["data"]["topicCreate"]
    removed = post_graphql(
        client,
        f"""mutation {{ suppressionRemove(id: "{added["suppression"]["id"]}", note: "Asked again") {{
        removedId errors {{ field }} }} }}""",
    ).json()["data"]["suppressionRemove"]
    read = post_graphql(
        client,
        f"""{{ topics(first: 5) {{ edges {{ node {{ key name isActive }} }} }}
        consents(first: 5, contact: "{contact_id}") {{ edges {{ node {{ status topic {{ key }} }} }} }}
        consentEvents(first: 5, contact: "{contact_id}") {{ edges {{ node {{ action source proof }} }} }}
        suppressions(first: 5) {{ totalCount }} }}""",
    ).json()

    assert recorded["errors"] == []
    assert recorded["consent"] == {
        "status": "GRANTED", "source": "API", "contact": {"id": contact_id}, "topic": {"key": "newsletter"},
    }  # fmt: skip
    assert bad_proof["errors"] == [{"field": "proof"}]
    assert (added["suppression"]["email"], added["suppression"]["reason"]) == ("gql@people.example", "COMPLAINT")
    assert bad_topic["errors"][0]["field"] == "key"
    assert {error["field"] for error in no_key["errors"]} == {"key", "name"}  # not a server error
    assert removed["errors"] == []
    assert "errors" not in read, read
    data = read["data"]
    assert [edge["node"]["key"] for edge in data["topics"]["edges"]] == ["newsletter"]
    assert [edge["node"]["status"] for edge in data["consents"]["edges"]] == ["WITHDRAWN"]
    assert [edge["node"]["action"] for edge in data["consentEvents"]["edges"]] == [
        "UNSUPPRESSED", "SUPPRESSED", "GRANTED",
    ]  # fmt: skip
    assert data["consentEvents"]["edges"][2]["node"]["proof"]["note"] == "By phone"
    assert data["suppressions"]["totalCount"] == 0


def test_graphql_refuses_roles_keys_and_other_tenants(alpha: TenantFixture, beta: TenantFixture) -> None:
    grant(alpha, "sales_rep", "marketing.view")
    with alpha.active():
        topic = make_topic()
    _key, read_only = issue_key(alpha, scopes=("marketing:read",))
    topic_id = to_global_id("Topic", topic.pk)
    create = """mutation { topicCreate(input: {key: "x", name: "x"}) { errors { code } } }"""
    delete = f"""mutation {{ topicDelete(id: "{topic_id}") {{ errors {{ field code }} }} }}"""

    by_rep = post_graphql(alpha.client(REP_EMAIL), create).json()["data"]["topicCreate"]
    by_key = post_graphql(bearer_client(alpha, read_only), create).json()["data"]["topicCreate"]
    from_beta = post_graphql(beta.client(), delete).json()["data"]["topicDelete"]
    seen_from_beta = post_graphql(beta.client(), "{ topics(first: 5) { totalCount } }").json()

    assert by_rep["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert by_key["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert from_beta["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    assert seen_from_beta["data"]["topics"]["totalCount"] == 0
    with alpha.active():
        assert list(Topic.objects.values_list("key", flat=True)) == ["newsletter"]
