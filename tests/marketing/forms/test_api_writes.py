"""Web forms written through REST and GraphQL: the builder's checks (a bad mapping names its place),
hostile input, the permission, the scope, another tenant, and lists whose query count does not
grow with the page. Submissions stay read only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from graphql_relay import to_global_id

from identity.services.api_keys import create_api_key
from modules.marketing.models import Topic
from modules.marketing.webforms.models import Submission, WebForm
from modules.marketing.webforms.services.submissions import Visit, submit
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, field_names, patch, post
from tests.marketing.forms.conftest import make_form
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke, schema_snapshot

pytestmark = pytest.mark.django_db

CONTACT_FIELDS = [
    {"field": "first_name", "label": {"en": "First name"}},
    {"field": "last_name", "required": True},
    {"field": "email", "required": True, "help": {"en": "We reply here."}},
]
CREATE = """mutation Create($input: WebFormInput!) {
  webFormCreate(input: $input) { webForm { id key creates fields allowedOrigins } errors { field message code } }
}"""
UPDATE = """mutation Update($id: ID!, $input: WebFormInput!) {
  webFormUpdate(id: $id, input: $input) { webForm { key isActive } errors { field message code } }
}"""
DELETE = """mutation Delete($id: ID!) { webFormDelete(id: $id) { deletedId errors { field code } } }"""


def key_client(tenant: TenantFixture, *scopes: str) -> Client:
    with tenant.active():
        _key, plaintext = create_api_key(user=tenant.user(), name="Forms", scopes=list(scopes))
    return Client(HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def body(**values: Any) -> dict[str, Any]:
    return {
        "name": "Newsletter", "key": "newsletter", "creates": "contact", "fields": CONTACT_FIELDS,
        "allowed_origins": ["https://www.Example.test/"], "on_duplicate": "skip", "redirect_url": "",
        "captcha": True, **values,
    }  # fmt: skip


def test_a_form_is_created_changed_and_deleted_over_rest(alpha: TenantFixture) -> None:
    client = api_client(alpha)
    with alpha.active():
        topic = Topic.objects.create(name="News")

    created = post(client, "/api/v1/web-forms/", body(consents=[{"topic": topic.pk, "label": "Send me news"}]))

    assert created.status_code == 201, created.content
    form = created.json()
    assert (form["key"], form["creates"], form["on_duplicate"], form["captcha"]) == (
        "newsletter",
        "contact",
        "skip",
        True,
    )
    assert form["allowed_origins"] == ["https://www.example.test"]  # as the builder cleans it
    assert form["fields"][2] == {
        "field": "email", "type": "email", "required": True, "label": {}, "help": {"en": "We reply here."},
    }  # fmt: skip
    assert form["consents"] == [{"topic": topic.pk, "label": {"en": "Send me news"}, "double_opt_in": True}]

    changed = patch(client, f"/api/v1/web-forms/{form['id']}/", {"is_active": False, "submit_label": "Join"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["is_active"], changed.json()["submit_label"]) == (False, "Join")

    assert client.delete(f"/api/v1/web-forms/{form['id']}/").status_code == 204
    with alpha.active():
        assert not WebForm.objects.filter(pk=form["id"]).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"fields": [{"field": "email"}, {"field": "salary"}]}, "fields[1].field"),
        ({"fields": [{"field": "email"}, {"field": "last_name", "type": "date"}]}, "fields[1].type"),
        ({"fields": [{"field": "email"}, {"field": "last_name", "label": {"en": "x" * 201}}]}, "fields[1].label"),
        ({"fields": [{"field": "email"}, {"field": "last_name", "help": {"en": "Nul\x00"}}]}, "fields[1].help"),
        ({"fields": [{"field": "last_name"}]}, "fields"),
        ({"fields": "email"}, "fields"),
        ({"consents": [{"topic": 2**70}]}, "consents[0].topic"),
        ({"allowed_origins": ["https://ok.test", "javascript:alert(1)"]}, "allowed_origins[1]"),
        ({"redirect_url": "http://plain.test/thanks"}, "redirect_url"),
        ({"redirect_url": "https://[::1/thanks"}, "redirect_url"),
        ({"name": "N\x00"}, "name"),
        ({"name": "x" * 100_000}, "name"),
        ({"key": "not a slug"}, "key"),
        ({"creates": "deal"}, "creates"),
        ({"campaign": 2**70}, "campaign"),
    ],
)
def test_a_bad_form_is_a_400_naming_the_field_and_nothing_is_written(
    alpha: TenantFixture, values: dict[str, Any], field: str
) -> None:
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)

    response = post(client, "/api/v1/web-forms/", body(**values))

    assert response.status_code == 400, response.content
    assert field_names(response) == [field]
    assert schema_snapshot(alpha.tenant) == before


def test_the_key_stays_once_people_used_the_form(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        submit(form, {"last_name": "Lovelace", "email": "ada@example.test"}, visit=Visit())

    response = patch(api_client(alpha), f"/api/v1/web-forms/{form.pk}/", {"key": "renamed"})

    assert response.status_code == 400
    assert field_names(response) == ["key"]


def test_submissions_are_read_only(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        submission = submit(form, {"last_name": "Lovelace", "email": "ada@example.test"}, visit=Visit())
    client = api_client(alpha)

    assert post(client, "/api/v1/form-submissions/", {"form": form.pk}).status_code == 405
    assert patch(client, f"/api/v1/form-submissions/{submission.pk}/", {"status": "spam"}).status_code == 405
    assert client.delete(f"/api/v1/form-submissions/{submission.pk}/").status_code == 405
    assert post(client, "/api/v1/form-submissions/bulk/", {"items": []}).status_code in (404, 405)
    with alpha.active():
        assert Submission.objects.get(pk=submission.pk).status == "accepted"


def test_writing_needs_the_permission_and_the_write_scope(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    path = f"/api/v1/web-forms/{form.pk}/"

    assert post(key_client(alpha, "marketing:read"), "/api/v1/web-forms/", body()).status_code == 403
    assert patch(key_client(alpha, "marketing:read"), path, {"name": "Renamed"}).status_code == 403
    assert key_client(alpha, "marketing:read").delete(path).status_code == 403
    assert post(key_client(alpha, "marketing:write"), "/api/v1/web-forms/", body()).status_code == 201
    grant(alpha, "sales_rep", "marketing.view")
    rep = api_client(alpha, REP_EMAIL)
    assert rep.get(path).status_code == 200  # every marketer sees every form
    assert patch(rep, path, {"name": "Renamed"}).status_code == 403
    revoke(alpha, "admin", "marketing.delete")
    assert api_client(alpha).delete(path).status_code == 403
    with alpha.active():
        assert WebForm.objects.get(pk=form.pk).name == "Demo request"


def test_another_tenant_cannot_read_change_or_delete_a_form(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        submission = submit(form, {"last_name": "Lovelace", "email": "ada@example.test"}, visit=Visit())

    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", f"/api/v1/web-forms/{form.pk}/", {}),
            ("patch", f"/api/v1/web-forms/{form.pk}/", {"name": "Stolen"}),
            ("delete", f"/api/v1/web-forms/{form.pk}/", {}),
            ("get", f"/api/v1/form-submissions/{submission.pk}/", {}),
        ],
    )
    form_id = to_global_id("WebForm", form.pk)
    before = schema_snapshot(alpha.tenant)
    data = post_graphql(beta.client(), UPDATE, {"id": form_id, "input": {"name": "Stolen"}}).json()["data"]
    assert data["webFormUpdate"]["errors"][0]["code"] == "NOT_FOUND"
    assert post_graphql(beta.client(), DELETE, {"id": form_id}).json()["data"]["webFormDelete"]["errors"]
    assert schema_snapshot(alpha.tenant) == before


def test_graphql_creates_changes_and_deletes_a_form_with_the_same_checks(alpha: TenantFixture) -> None:
    client = alpha.client()
    data = {**body(), "creates": "CONTACT", "onDuplicate": "skip", "allowedOrigins": ["https://a.test"]}
    for name in ("on_duplicate", "allowed_origins", "redirect_url"):
        data.pop(name)

    created = post_graphql(client, CREATE, {"input": data}).json()["data"]["webFormCreate"]

    assert created["errors"] == [], created
    assert (created["webForm"]["key"], created["webForm"]["creates"]) == ("newsletter", "CONTACT")
    form_id = created["webForm"]["id"]
    changed = post_graphql(client, UPDATE, {"id": form_id, "input": {"isActive": False}}).json()["data"]
    assert changed["webFormUpdate"] == {"webForm": {"key": "newsletter", "isActive": False}, "errors": []}
    bad = {**data, "key": "other", "fields": [{"field": "email"}, {"field": "salary"}]}
    refused = post_graphql(client, CREATE, {"input": bad}).json()["data"]["webFormCreate"]
    assert refused["webForm"] is None
    assert [(error["field"], error["code"]) for error in refused["errors"]] == [("fields[1].field", "INVALID")]
    nul = post_graphql(client, UPDATE, {"id": form_id, "input": {"name": "N\x00"}}).json()["data"]["webFormUpdate"]
    assert [error["field"] for error in nul["errors"]] == ["name"]
    deleted = post_graphql(client, DELETE, {"id": form_id}).json()["data"]["webFormDelete"]
    assert deleted == {"deletedId": form_id, "errors": []}


def test_graphql_writes_need_the_permission_and_the_scope(alpha: TenantFixture) -> None:
    data = {"name": "N", "key": "by-key", "creates": "CONTACT", "fields": CONTACT_FIELDS}
    revoke(alpha, "admin", "marketing.change")
    refused = post_graphql(alpha.client(), CREATE, {"input": data}).json()["data"]
    assert refused["webFormCreate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    grant(alpha, "admin", "marketing.change")
    read_only = post_graphql(key_client(alpha, "marketing:read"), CREATE, {"input": data}).json()["data"]
    assert read_only["webFormCreate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    with alpha.active():
        assert not WebForm.objects.exists()


def _submissions(alpha: TenantFixture, count: int) -> None:
    with alpha.active():
        form = WebForm.objects.first() or make_form()
        for index in range(count):
            submit(form, {"last_name": f"Visitor {index}", "email": f"v{index}@example.test"}, visit=Visit())


LIST_QUERY = """{ webForms(first: 50) { edges { node { key campaign { name } owner { email } } } }
  formSubmissions(first: 50) { edges { node { status form { key } lead { lastName } contact { lastName } } } } }"""


def test_lists_cost_the_same_queries_for_5_or_25_rows(alpha: TenantFixture, django_assert_max_num_queries: Any) -> None:
    _submissions(alpha, 5)
    client, graphql = api_client(alpha), alpha.client()
    with django_assert_max_num_queries(60) as few:
        assert len(client.get("/api/v1/form-submissions/").json()["results"]) == 5
        assert len(client.get("/api/v1/web-forms/").json()["results"]) == 1
        assert "errors" not in post_graphql(graphql, LIST_QUERY).json()
    _submissions(alpha, 20)
    with alpha.active():
        for index in range(4):
            make_form(key=f"more-{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/form-submissions/").json()["results"]) == 25
        assert len(client.get("/api/v1/web-forms/").json()["results"]) == 5
        assert "errors" not in post_graphql(graphql, LIST_QUERY).json()
