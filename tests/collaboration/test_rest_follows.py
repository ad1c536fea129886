"""Following over REST: ``POST``/``DELETE <record>/<id>/follow/`` (seeing the record is enough, but
a read-only credential may not), ``GET <record>/<id>/followers/`` — within the record's visibility."""

from __future__ import annotations

from identity.models import Role
from identity.services.accounts import ensure_user
from modules.collaboration.models import Follow
from modules.collaboration.services.follows import follow
from tests.api.access.helpers import bearer_client, issue_key, post_json
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, queries_for
from tests.factories import CompanyFactory, LeadFactory
from tests.sales.orders.conftest import make_order
from tests.tenancy import PASSWORD, TenantFixture, revoke

from .conftest import OTHER_REP_EMAIL, VIEWER_EMAIL


def test_following_unfollowing_and_listing_followers(alpha: TenantFixture, viewer):
    order = make_order(alpha)
    client = api_client(alpha)
    base = f"/api/v1/orders/{order.pk}/"

    first = post_json(client, f"{base}follow/", {})
    again = post_json(client, f"{base}follow/", {})  # following twice is one follow
    post_json(api_client(alpha, VIEWER_EMAIL), f"{base}follow/", {})  # a read-only role may follow
    listed = client.get(f"{base}followers/")

    assert (first.status_code, first.json()) == (200, {"following": True})
    assert again.status_code == 200
    assert [row["user"]["email"] for row in listed.json()["results"]] == [alpha.user().email, viewer.email]

    assert client.delete(f"{base}follow/").status_code == 204
    assert client.delete(f"{base}follow/").status_code == 204  # not following: nothing to do
    with alpha.active():
        assert list(Follow.objects.values_list("user_id", flat=True)) == [viewer.pk]


def test_a_read_only_credential_cannot_follow_and_another_modules_cannot_list(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(owner=alpha.user())
    base = f"/api/v1/leads/{lead.pk}/"
    reader = bearer_client(alpha, issue_key(alpha, scopes=("sales:read",))[1])
    contacts_key = bearer_client(alpha, issue_key(alpha, scopes=("contacts:read", "contacts:write"), name="c")[1])

    assert reader.get(f"{base}followers/").status_code == 200
    refused = post_json(reader, f"{base}follow/", {})
    assert refused.status_code == 403
    assert "sales:write" in refused.json()["detail"]
    assert reader.delete(f"{base}follow/").status_code == 403
    assert contacts_key.get(f"{base}followers/").status_code == 403
    assert post_json(contacts_key, f"{base}follow/", {}).status_code == 403
    with alpha.active():
        assert not Follow.objects.exists()


def test_a_rep_outside_the_records_visibility_or_a_role_without_the_module_is_refused(
    alpha: TenantFixture, other_rep, viewer
):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    base = f"/api/v1/companies/{company.pk}/"
    outsider = api_client(alpha, OTHER_REP_EMAIL)

    assert outsider.get(f"{base}followers/").status_code == 404
    assert post_json(outsider, f"{base}follow/", {}).status_code == 404
    revoke(alpha, "read_only", "contacts.view")
    assert post_json(api_client(alpha, VIEWER_EMAIL), f"{base}follow/", {}).status_code == 403
    with alpha.active():
        assert not Follow.objects.exists()


def test_follows_of_another_tenant_cannot_be_reached_over_rest(alpha: TenantFixture, beta: TenantFixture):
    order = make_order(alpha)
    with alpha.active():
        follow(order, user=alpha.user())
    base = f"/api/v1/orders/{order.pk}/"
    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [("get", f"{base}followers/", {}), ("post", f"{base}follow/", {}), ("delete", f"{base}follow/", {})],
    )


def test_listing_followers_costs_the_same_for_few_and_many(alpha: TenantFixture):
    with alpha.active():
        role = Role.objects.get(key="read_only")
        users = [ensure_user(email=f"f{n}@example.test", password=PASSWORD, role=role) for n in range(12)]
        few, many = CompanyFactory(owner=alpha.user()), CompanyFactory(owner=alpha.user())
        for user in users[:2]:
            follow(few, user=user)
        for user in users:
            follow(many, user=user)
    client = api_client(alpha)
    client.get(f"/api/v1/companies/{few.pk}/followers/")

    small, first = queries_for(client, f"/api/v1/companies/{few.pk}/followers/")
    large, second = queries_for(client, f"/api/v1/companies/{many.pk}/followers/")

    assert small == large
    assert (len(first.json()["results"]), len(second.json()["results"])) == (2, 12)
