"""The marketers' pages: the list with its figures, the builder, the embed codes, the submissions
with filters and CSV; permissions, the plan gate, other tenants, constant query counts."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from modules.marketing.models import Topic
from modules.marketing.webforms.models import Submission, WebForm
from modules.marketing.webforms.services.submissions import Visit, submit
from tenants.models import Tenant
from tests.factories import ContactFactory
from tests.marketing.forms.conftest import FIELDS, make_form
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, grant, revoke, schema_snapshot

pytestmark = pytest.mark.django_db


def _builder_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Webinar sign-up", "key": "webinar", "creates": "lead", "language": "en", "on_duplicate": "update",
        "submit_label": "", "thank_you_message": "See you there", "redirect_url": "", "campaign": "", "owner": "",
        "allowed_origins_text": "https://www.example.test\nhttps://blog.example.test/", "is_active": "on",
        "fields_json": json.dumps(FIELDS), "consents_json": "[]",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_marketer_builds_a_form_and_gets_its_embed_codes(alpha: TenantFixture) -> None:
    client = alpha.client()
    response = client.post("/marketing/forms/new/", _builder_post())
    assert response.status_code == 302, response.content.decode()[:2000]
    with alpha.active():
        form = WebForm.objects.get(key="webinar")
        assert form.allowed_origins == ["https://www.example.test", "https://blog.example.test"]
        assert [field["field"] for field in form.fields] == ["first_name", "last_name", "email", "company_name"]
    embed = client.get(response["Location"]).context["embed"]
    assert '<div data-relata-form="webinar"></div>' in embed["script"]
    assert f'src="http://{alpha.host}/f/embed.js"' in embed["script"]
    assert f'action="http://{alpha.host}/f/webinar/submit"' in embed["html"]  # the plain HTML snippet
    assert embed["page"] == f"http://{alpha.host}/f/webinar/"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"redirect_url": "http://www.example.test/thanks"}, "redirect_url"),
        ({"allowed_origins_text": "https://www.example.test/path"}, "allowed_origins_text"),
        ({"fields_json": json.dumps([{"field": "last_name"}])}, None),
        ({"fields_json": json.dumps([{"field": "password"}, {"field": "email"}])}, None),
        ({"fields_json": "{broken"}, None),
        ({"name": "Bad\x00name"}, "name"),
        ({"key": "not a slug"}, "key"),
    ],
)
def test_a_bad_form_definition_is_refused_naming_what(alpha: TenantFixture, overrides: dict, field: str | None) -> None:
    response = alpha.client().post("/marketing/forms/new/", _builder_post(**overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.get(field) if field else form.non_field_errors()
    with alpha.active():
        assert not WebForm.objects.exists()


def test_consents_need_a_contact_form_and_a_known_topic(alpha: TenantFixture) -> None:
    with alpha.active():
        topic = Topic.objects.create(key="news", name="News")
    consents = json.dumps([{"topic": topic.pk, "label": {"en": "Send me news"}, "double_opt_in": True}])
    client = alpha.client()
    assert client.post("/marketing/forms/new/", _builder_post(consents_json=consents)).status_code == 400
    fields = json.dumps(FIELDS[:3])
    ok = client.post(
        "/marketing/forms/new/", _builder_post(creates="contact", fields_json=fields, consents_json=consents)
    )
    assert ok.status_code == 302
    unknown = json.dumps([{"topic": topic.pk + 1000}])
    assert client.post("/marketing/forms/new/", _builder_post(key="x", creates="contact", fields_json=fields,
                                                              consents_json=unknown)).status_code == 400  # fmt: skip


def _submissions(alpha: TenantFixture, form: WebForm, count: int) -> None:
    with alpha.active():
        start = Submission.objects.count()
        for number in range(start, start + count):
            submit(form, {"last_name": f"Visitor {number}", "email": f"v{number}@example.test"},
                   visit=Visit(utm={"utm_source": "=cmd|' /C calc'!A0"}))  # fmt: skip


def _query_counts(client: Client, paths: list[str]) -> list[int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts.append(len(queries))
    return counts


def test_the_list_and_the_submissions_take_the_same_queries_for_5_and_50_rows(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        for number in range(4):
            make_form(key=f"more-{number}")
    _submissions(alpha, form, 5)
    client = alpha.client()
    paths = ["/marketing/forms/", f"/marketing/forms/{form.pk}/submissions/"]
    few = _query_counts(client, paths)
    with alpha.active():
        for number in range(4, 49):
            make_form(key=f"more-{number}")
    _submissions(alpha, form, 45)
    assert _query_counts(client, paths) == few


def test_the_submissions_filter_and_export_as_csv(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    _submissions(alpha, form, 3)
    with alpha.active():
        Submission.objects.filter(data__email="v0@example.test").update(status="spam")
    client = alpha.client()
    page = client.get(f"/marketing/forms/{form.pk}/submissions/?status=accepted")
    assert [row.data["email"] for row in page.context["rows"]] == ["v2@example.test", "v1@example.test"]
    export = client.get(f"/marketing/forms/{form.pk}/submissions/export/?status=accepted")
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode()
    lines = text.strip().splitlines()
    assert len(lines) == 3
    assert "v2@example.test" in lines[1]
    assert "'=cmd" in text  # a formula in a cell is defused
    assert client.get(f"/marketing/forms/{form.pk}/submissions/?since=2024-99-99").status_code == 400


def test_pages_need_the_marketing_permissions(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    rep = alpha.client("rep@example.test")  # a sales rep's role has no marketing permission
    pages = ["/marketing/forms/", "/marketing/forms/new/", f"/marketing/forms/{form.pk}/"]
    pages += [f"/marketing/forms/{form.pk}/submissions/", f"/marketing/forms/{form.pk}/submissions/export/"]
    for path in pages:
        assert rep.get(path).status_code == 403, path
    grant(alpha, "sales_rep", "marketing.view")
    assert rep.get("/marketing/forms/").status_code == 200
    assert rep.get(f"/marketing/forms/{form.pk}/").status_code == 403
    before = schema_snapshot(alpha.tenant)
    assert rep.post(f"/marketing/forms/{form.pk}/delete/").status_code == 403
    assert rep.post("/marketing/forms/new/", _builder_post()).status_code == 403
    assert schema_snapshot(alpha.tenant) == before
    revoke(alpha, "sales_rep", "marketing.view")


def test_another_tenant_cannot_reach_a_form(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        ContactFactory()
        WebForm.objects.filter(pk=form.pk).update(id=form.pk + 500)
    pk = form.pk + 500
    assert_cross_tenant_requests_fail(alpha, beta, [
        ("get", f"/marketing/forms/{pk}/", {}),
        ("post", f"/marketing/forms/{pk}/", _builder_post()),
        ("get", f"/marketing/forms/{pk}/submissions/", {}),
        ("get", f"/marketing/forms/{pk}/submissions/export/", {}),
        ("post", f"/marketing/forms/{pk}/delete/", {}),
    ])  # fmt: skip


def test_without_marketing_the_pages_say_not_in_plan(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=["sales"])
    client = alpha.client()
    for path in ("/marketing/forms/", f"/marketing/forms/{form.pk}/submissions/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "plan" in response.content.decode().lower()


def test_a_marketer_deletes_a_form(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    assert alpha.client().post(f"/marketing/forms/{form.pk}/delete/").status_code == 302
    with alpha.active():
        assert not WebForm.objects.exists()


def test_the_embed_script_address_is_stable(alpha: TenantFixture) -> None:
    response = alpha.client(None).get("/f/embed.js")
    assert response.status_code == 302
    assert "marketing-form-embed" in response["Location"]


def test_the_workflow_builder_offers_the_workspaces_forms(alpha: TenantFixture) -> None:
    from customization.workflows.views import builder_config

    with alpha.active():
        make_form(name="Demo request", key="demo-request")
        assert builder_config()["webForms"] == [{"value": "demo-request", "label": "Demo request (demo-request)"}]
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=["sales"])
    alpha.tenant.refresh_from_db()
    with alpha.active():
        assert builder_config()["webForms"] == []
