"""Every record list on the framework: query counts constant in list size (custom-field columns
too), sort, filters, the capped count, saved views (personal and shared) and their isolation."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.contacts.models import Company, SavedView
from modules.lists.paging import capped_count
from tests.customization.pages.conftest import define
from tests.lists.kinds import KINDS, Kind
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

KIND_PARAMS = [pytest.param(kind, id=key) for key, kind in KINDS.items()]


def _selectable(html: str) -> list[str]:
    return re.findall(r'name="ids" value="(\d+)"', html)


def _queries(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_the_list_costs_the_same_queries_for_5_and_50_rows_with_custom_columns(alpha: TenantFixture, kind: Kind):
    admin = alpha.user()
    with alpha.active():
        define(kind.key, "tier", "text", label="Tier")
    client = alpha.client()
    path = f"{kind.path}?columns=tags,owner,tier"
    client.get(path)  # warm the session and caches
    counts = []
    for total in (5, 50):
        with alpha.active():
            while kind.model._default_manager.count() < total:
                kind.make(f"Row{kind.model._default_manager.count():03}", owner=admin, custom={"tier": "gold"})
        count, html = _queries(client, path)
        assert len(_selectable(html)) == total
        assert html.count('data-cf="tier">') == total
        assert html.count("/custom.tier/?edit=1") == total  # the admin edits the cells in place
        counts.append(count)

    assert counts[0] == counts[1]


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_the_list_sorts_by_name_both_ways_and_counts_its_rows(alpha: TenantFixture, kind: Kind):
    with alpha.active():
        rows = [kind.make(name, owner=alpha.user()) for name in ("Bravo", "Alpha", "Charlie")]
    client = alpha.client()

    ascending = client.get(kind.path, {"sort": kind.name_sort}).content.decode()
    descending = client.get(kind.path, {"sort": f"-{kind.name_sort}"}).content.decode()

    by_name = [str(row.pk) for row in sorted(rows, key=str)]
    assert _selectable(ascending) == by_name
    assert _selectable(descending) == by_name[::-1]
    assert re.search(r'data-testid="list-count">3<', ascending)


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_the_list_filters_by_owner_and_by_a_custom_field(alpha: TenantFixture, kind: Kind):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        define(kind.key, "tier", "text", label="Tier")
        mine = kind.make("Mine", owner=rep, custom={"tier": "gold"})
        kind.make("Admins", owner=admin, custom={"tier": "gold"})
        kind.make("Other tier", owner=rep, custom={"tier": "silver"})
    client = alpha.client()

    html = client.get(kind.path, {"owner": rep.pk, "cf.tier": "gold"}).content.decode()

    assert _selectable(html) == [str(mine.pk)]
    assert 'data-testid="custom-filter"' in html


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_a_page_link_carries_the_filters_and_pages_by_keyset(alpha: TenantFixture, kind: Kind):
    with alpha.active():
        made = [kind.make(f"Row{index:03}", owner=alpha.user()) for index in range(53)]
    client = alpha.client()

    first = client.get(kind.path, {"sort": kind.name_sort}).content.decode()
    link = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(f"{kind.path}?{link}").content.decode()

    assert f"sort={kind.name_sort}" in link
    assert _selectable(first) + _selectable(second) == [str(row.pk) for row in sorted(made, key=str)]


def test_the_count_stops_at_its_cap(alpha: TenantFixture):
    with alpha.active():
        for index in range(5):
            KINDS["company"].make(f"Firm {index}", owner=alpha.user())
        capped, exact = capped_count(Company.objects.all(), cap=3), capped_count(Company.objects.all(), cap=10)

    assert (capped.value, capped.capped) == (3, True)
    assert (exact.value, exact.capped) == (5, False)


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_a_personal_view_is_its_owners_and_a_shared_one_everyones(alpha: TenantFixture, kind: Kind):
    admin_client, rep_client = alpha.client(), alpha.client(REP_EMAIL)
    admin_client.post(f"{kind.path}views/" if kind.key in ("lead", "deal") else f"/contacts/views/{kind.key}/save/",
                      {"name": "Private", "query": f"sort=-{kind.name_sort}&columns=owner"})  # fmt: skip
    admin_client.post(f"{kind.path}views/" if kind.key in ("lead", "deal") else f"/contacts/views/{kind.key}/save/",
                      {"name": "Team", "query": f"sort={kind.name_sort}", "is_shared": "on"})  # fmt: skip
    with alpha.active():
        private, team = SavedView.objects.get(name="Private"), SavedView.objects.get(name="Team")

    rep_page = rep_client.get(kind.path).content.decode()
    picked = rep_client.get(kind.path, {"view": team.pk})
    refused = rep_client.get(kind.path, {"view": private.pk})
    delete_path = (
        f"{kind.path}views/{team.pk}/delete/" if kind.key in ("lead", "deal") else f"/contacts/views/{team.pk}/delete/"
    )
    not_theirs = rep_client.post(delete_path)
    opened = admin_client.get(kind.path, {"view": private.pk})

    assert (private.entity, private.query, private.columns, private.is_shared) == (
        kind.key, {"sort": f"-{kind.name_sort}"}, ["owner"], False)  # fmt: skip
    assert "Team" in rep_page
    assert "Private" not in rep_page
    assert picked["Location"] == f"{kind.path}?sort={kind.name_sort}&saved_view={team.pk}"
    assert refused.status_code == 404
    assert not_theirs.status_code == 404
    assert opened["Location"] == f"{kind.path}?sort=-{kind.name_sort}&columns=owner&saved_view={private.pk}"
    with alpha.active():
        assert SavedView.objects.filter(pk=team.pk).exists()


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_another_tenant_cannot_pick_or_delete_a_view(alpha: TenantFixture, beta: TenantFixture, kind: Kind):
    with alpha.active():
        view = SavedView.objects.create(owner=alpha.user(), entity=kind.key, name="Alpha", is_shared=True)
    delete_path = (
        f"{kind.path}views/{view.pk}/delete/" if kind.key in ("lead", "deal") else f"/contacts/views/{view.pk}/delete/"
    )

    assert_cross_tenant_requests_fail(
        alpha, beta, [("get", f"{kind.path}?view={view.pk}", {}), ("post", delete_path, {})]
    )
