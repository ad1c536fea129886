"""Web forms and submissions in REST and GraphQL (read-only): module, permission, scope, tenant."""

from __future__ import annotations

import pytest
from django.test import Client
from graphql_relay import to_global_id

from identity.services.api_keys import create_api_key
from modules.marketing.webforms.services.submissions import Visit, submit
from tenants.models import Tenant
from tests.marketing.forms.conftest import make_form
from tests.tenancy import TenantFixture, revoke

pytestmark = pytest.mark.django_db

QUERY = """{ webForms { edges { node { key creates fields } } }
  formSubmissions { edges { node { status data utmSource lead { lastName } form { key } } } } }"""


def api_key_client(tenant: TenantFixture, scopes: list[str]) -> Client:
    with tenant.active():
        _key, plaintext = create_api_key(user=tenant.user(), name="Forms", scopes=scopes)
    return Client(HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def _one_submission(alpha: TenantFixture):  # type: ignore[no-untyped-def]
    with alpha.active():
        form = make_form()
        submit(form, {"last_name": "Lovelace", "email": "ada@example.test"}, visit=Visit(utm={"utm_source": "ads"}))
    return form


def test_rest_lists_forms_and_submissions(alpha: TenantFixture) -> None:
    form = _one_submission(alpha)
    client = alpha.client()
    forms = client.get("/api/v1/web-forms/").json()["results"]
    assert [row["key"] for row in forms] == ["demo-request"]
    rows = client.get(f"/api/v1/form-submissions/?form={form.pk}&status=accepted").json()["results"]
    assert [(row["status"], row["utm_source"], row["lead"]["name"]) for row in rows] == [
        ("accepted", "ads", "Lovelace")
    ]
    assert client.get("/api/v1/form-submissions/?status=nope").status_code == 400
    assert client.get("/api/v1/form-submissions/?submitted_after=%00").status_code == 400


def test_graphql_lists_forms_and_submissions(alpha: TenantFixture) -> None:
    form = _one_submission(alpha)
    response = alpha.client().post("/graphql/", {"query": QUERY}, content_type="application/json").json()
    assert "errors" not in response, response
    assert response["data"]["webForms"]["edges"][0]["node"]["key"] == "demo-request"
    node = response["data"]["formSubmissions"]["edges"][0]["node"]
    assert (node["status"], node["utmSource"], node["lead"]["lastName"], node["form"]["key"]) == (
        "ACCEPTED", "ads", "Lovelace", "demo-request",
    )  # fmt: skip
    form_id = to_global_id("WebForm", form.pk)
    by_form = '{ formSubmissions(form: "' + form_id + '") { totalCount } }'
    assert alpha.client().post("/graphql/", {"query": by_form}, content_type="application/json").json()["data"] == {
        "formSubmissions": {"totalCount": 1}
    }


def test_the_apis_need_the_permission_the_module_and_the_scope(alpha: TenantFixture, beta: TenantFixture) -> None:
    _one_submission(alpha)
    # Another tenant sees none of alpha's rows.
    assert beta.client().get("/api/v1/form-submissions/").json()["results"] == []
    # A key without the marketing scope.
    sales_only = api_key_client(alpha, scopes=["sales:read"])
    assert sales_only.get("/api/v1/web-forms/").status_code == 403
    marketing = api_key_client(alpha, scopes=["marketing:read"])
    assert marketing.get("/api/v1/web-forms/").status_code == 200
    # A role without marketing.view.
    revoke(alpha, "admin", "marketing.view")
    assert alpha.client().get("/api/v1/web-forms/").status_code == 403
    errors = alpha.client().post("/graphql/", {"query": QUERY}, content_type="application/json").json()["errors"]
    assert {error["extensions"]["code"] for error in errors} == {"PERMISSION_DENIED"}
    # Without the module.
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=["sales"])
    assert alpha.client().get("/api/v1/form-submissions/").status_code == 403
