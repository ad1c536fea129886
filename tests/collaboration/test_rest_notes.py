"""Notes over REST: ``/api/v1/<record>/<id>/notes/`` reads (view permission, read scope) and writes
(change permission, write scope) through the page's service, within the record's visibility."""

from __future__ import annotations

from modules.collaboration.models import Note
from modules.collaboration.services.notes import create_note
from tests.api.access.helpers import bearer_client, issue_key, post_json
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, field_names, queries_for
from tests.factories import CompanyFactory, DealFactory
from tests.tenancy import TenantFixture

from .conftest import OTHER_REP_EMAIL, VIEWER_EMAIL


def test_notes_are_listed_and_written_with_mentions_reported(alpha: TenantFixture, other_rep, viewer):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        create_note(record=company, body="<div>older</div>", by=alpha.user())
    client = api_client(alpha)
    mentions = f'<a href="#mention-{viewer.pk}">@V</a> <a href="#mention-{other_rep.pk}">@O</a>'
    body = f"<div>hi {mentions}<script>x</script></div>"

    created = post_json(client, f"/api/v1/companies/{company.pk}/notes/", {"body": body})
    listed = client.get(f"/api/v1/companies/{company.pk}/notes/")

    assert created.status_code == 201
    assert created.json()["note"]["mentioned"] == [viewer.pk]
    assert [person["id"] for person in created.json()["not_notified"]] == [other_rep.pk]
    assert "<script>" not in created.json()["note"]["body"]
    assert [note["body"] for note in listed.json()["results"]][1] == "<div>older</div>"


def test_scopes_and_roles_decide_who_reads_and_writes_notes(alpha: TenantFixture, viewer):
    # viewer: a read-only role, so writing is refused by permission, not scope
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    path = f"/api/v1/deals/{deal.pk}/notes/"
    readonly_key = bearer_client(alpha, issue_key(alpha, scopes=("sales:read",))[1])
    other_module_key = bearer_client(alpha, issue_key(alpha, scopes=("contacts:read", "contacts:write"), name="b")[1])

    assert readonly_key.get(path).status_code == 200
    refused = post_json(readonly_key, path, {"body": "<div>x</div>"})
    assert refused.status_code == 403
    assert "sales:write" in refused.json()["detail"]
    assert other_module_key.get(path).status_code == 403
    assert post_json(api_client(alpha, VIEWER_EMAIL), path, {"body": "<div>x</div>"}).status_code == 403
    with alpha.active():
        assert not Note.objects.exists()


def test_a_rep_outside_the_records_visibility_gets_404(alpha: TenantFixture, other_rep):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    client = api_client(alpha, OTHER_REP_EMAIL)

    assert client.get(f"/api/v1/companies/{company.pk}/notes/").status_code == 404
    assert post_json(client, f"/api/v1/companies/{company.pk}/notes/", {"body": "<div>x</div>"}).status_code == 404


def test_a_bad_note_is_a_400_naming_the_body(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    client = api_client(alpha)

    for body in ({"body": "<div>a\x00b</div>"}, {"body": ""}, {}, {"body": "<p></p>"}):
        response = post_json(client, f"/api/v1/companies/{company.pk}/notes/", body)
        assert response.status_code == 400, body
        assert field_names(response) == ["body"]
    with alpha.active():
        assert not Note.objects.exists()


def test_notes_of_another_tenant_cannot_be_reached_over_rest(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        create_note(record=company, body="<div>alpha</div>", by=alpha.user())
    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", f"/api/v1/companies/{company.pk}/notes/", {}),
            ("post", f"/api/v1/companies/{company.pk}/notes/", {"body": "<div>x</div>"}),
        ],
    )


def test_listing_notes_costs_the_same_for_5_and_50(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        few, many = CompanyFactory(owner=admin), CompanyFactory(owner=admin)
        for record, count in ((few, 5), (many, 50)):
            for index in range(count):
                create_note(record=record, body=f"<div>n{index}</div>", by=admin)
    client = api_client(alpha)
    client.get(f"/api/v1/companies/{few.pk}/notes/")

    small, first = queries_for(client, f"/api/v1/companies/{few.pk}/notes/")
    large, second = queries_for(client, f"/api/v1/companies/{many.pk}/notes/")

    assert small == large
    assert len(first.json()["results"]) == 5
    assert len(second.json()["results"]) == 50
