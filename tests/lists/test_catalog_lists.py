"""The product and quote lists on the list framework: query counts, filters, sort, saved views and
bulk actions within permissions, visibility and the tenant."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.contacts.models import SavedView
from modules.sales.models import Product, Quote
from modules.sales.services.quotes import create_quote
from tests.factories import DealFactory, ProductFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def _selectable(html: str) -> list[str]:
    return re.findall(r'name="ids" value="(\d+)"', html)


def _quote(owner, **deal_values) -> Quote:
    return create_quote(deal=DealFactory(owner=owner, **deal_values), by=owner)


def _query_count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_product_and_quote_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture):
    client = alpha.client()
    client.get("/products/")
    counts: dict[str, list[int]] = {"/products/?active=all": [], "/quotes/?columns=valid_until,owner": []}
    for total in (5, 50):
        with alpha.active():
            while Product.objects.count() < total:
                ProductFactory()
            while Quote.objects.count() < total:
                _quote(alpha.user())
        for path, found in counts.items():
            found.append(_query_count(client, path))

    assert {path: found[0] == found[1] for path, found in counts.items()} == dict.fromkeys(counts, True)


def test_products_filter_sort_and_show_deactivated_ones_on_demand(alpha: TenantFixture):
    with alpha.active():
        licence = ProductFactory(name="Licence", sku="LIC-1")
        hours = ProductFactory(name="Consulting hours", sku="HRS-1")
        old = ProductFactory(name="Old licence", sku="LIC-0", is_active=False)
    client = alpha.client()

    default = client.get("/products/", {"sort": "-name"}).content.decode()
    searched = client.get("/products/", {"q": "lic", "active": "all", "sort": "name"}).content.decode()
    inactive = client.get("/products/", {"active": "inactive"}).content.decode()

    assert _selectable(default) == [str(licence.pk), str(hours.pk)]
    assert _selectable(searched) == [str(licence.pk), str(old.pk)]
    assert _selectable(inactive) == [str(old.pk)]


def test_products_are_deactivated_and_retaxed_in_bulk_by_catalogue_managers_only(alpha: TenantFixture):
    with alpha.active():
        first, second = ProductFactory(), ProductFactory()
    admin, rep = alpha.client(), alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    refused = rep.post("/products/bulk/", {"action": "deactivate", "ids": [first.pk, second.pk]})
    unchanged = schema_snapshot(alpha.tenant)
    admin.post("/products/bulk/", {"action": "deactivate", "ids": [first.pk, second.pk]})
    admin.post("/products/bulk/", {"action": "edit:tax_rate", "edit_tax_rate": "7.5", "ids": [first.pk]})

    assert refused.status_code == 403
    assert unchanged == before
    with alpha.active():
        assert list(Product.objects.order_by("pk").values_list("is_active", "tax_rate")) == [
            (False, Decimal("7.50")), (False, Decimal("19.00"))]  # fmt: skip


def test_a_bulk_edit_refused_by_one_quote_changes_none(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        draft, accepted = _quote(admin), _quote(admin)
        Quote.objects.filter(pk=accepted.pk).update(status="accepted")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)
    edit = {"action": "edit:valid_until", "edit_valid_until": "2031-01-31"}

    response = client.post("/quotes/bulk/", {**edit, "ids": [draft.pk, accepted.pk]}, follow=True)
    unchanged = schema_snapshot(alpha.tenant)
    changed = client.post("/quotes/bulk/", {**edit, "ids": [draft.pk]})

    page = response.content.decode()
    assert "Nothing was changed" in page
    assert f"{accepted.number}: Status: Only a draft quote can be changed." in page
    assert f"{draft.number}:" not in page
    assert unchanged == before
    assert changed.status_code == 302
    with alpha.active():
        assert dict(Quote.objects.values_list("pk", "valid_until")) == {
            draft.pk: date(2031, 1, 31), accepted.pk: accepted.valid_until}  # fmt: skip


def test_a_rep_lists_and_acts_on_their_own_quotes_only(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        mine, theirs = _quote(rep), _quote(admin)
    client = alpha.client(REP_EMAIL)
    listed = client.get("/quotes/").content.decode()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/quotes/bulk/", {"action": "quote_status", "quote_status": "sent",
                                             "ids": [mine.pk, theirs.pk]})  # fmt: skip

    assert _selectable(listed) == [str(mine.pk)]
    assert response.status_code == 404
    assert schema_snapshot(alpha.tenant) == before


def test_quote_and_product_views_are_personal_unless_shared(alpha: TenantFixture):
    admin_client, rep_client = alpha.client(), alpha.client(REP_EMAIL)
    admin_client.post("/quotes/views/", {"name": "Drafts", "query": "status=draft"})
    admin_client.post("/products/views/", {"name": "All", "query": "active=all", "is_shared": "on"})
    with alpha.active():
        drafts, everything = SavedView.objects.get(name="Drafts"), SavedView.objects.get(name="All")

    assert (drafts.entity, drafts.query, everything.entity) == ("quote", {"status": "draft"}, "product")
    assert rep_client.get("/quotes/", {"view": drafts.pk}).status_code == 404
    assert rep_client.get("/products/", {"view": everything.pk})["Location"] == (
        f"/products/?active=all&saved_view={everything.pk}")  # fmt: skip


def test_another_tenant_cannot_act_on_products_quotes_or_views(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        product, quote = ProductFactory(), _quote(alpha.user())
        view = SavedView.objects.create(owner=alpha.user(), entity="quote", name="Alpha", is_shared=True)

    assert_cross_tenant_requests_fail(alpha, beta, [
        ("post", "/products/bulk/", {"action": "deactivate", "ids": [product.pk]}),
        ("post", "/quotes/bulk/", {"action": "quote_status", "quote_status": "sent", "ids": [quote.pk]}),
        ("get", f"/quotes/?view={view.pk}", {}),
        ("post", f"/quotes/views/{view.pk}/delete/", {}),
    ])  # fmt: skip
