"""Every count of the cohort grid opens the customers it counts: the company and contact lists
narrowed by ``?cohort=`` show exactly the grid's numbers, for whoever follows the link; a bad value,
another list, a missing permission and another tenant are refused."""

from __future__ import annotations

from django.utils import timezone

from modules.analytics.customer_value.cohorts import month_index, month_of
from tests.analytics.customer_value.conftest import buy
from tests.analytics.customer_value.test_cohorts import hand_built
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke, with_session_of


def _count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return int(response.context["count"].value)


def test_each_count_links_to_a_list_of_exactly_its_customers(alpha: TenantFixture):
    m0 = hand_built(alpha)  # companies A, B (cohort m0) and C (m0+1)
    with alpha.active():
        loner = ContactFactory(owner=alpha.user())  # a contact ordering without a company, in m0+1
        buy(alpha.user(), contact=loner, days_ago=0, on=month_of(m0 + 1))
    client = alpha.client()

    page = client.get("/analytics/cohorts/")

    rows = {row["cohort"].month: row["cells"] for row in page.context["rows"]}
    checked = 0
    for cells in rows.values():
        for cell in cells:
            assert sum(link["count"] for link in cell["links"]) == cell["count"]
            for link in cell["links"]:
                assert _count(client, link["url"]) == link["count"], link["url"]
                checked += 1
    assert checked >= 6
    first = rows[month_of(m0)]
    assert [link["url"] for link in first[2]["links"]] == [f"/companies/?cohort={month_of(m0):%Y-%m}%3A2"]
    second = rows[month_of(m0 + 1)]
    assert [(link["count"], link["url"]) for link in second[0]["links"]] == [
        (1, f"/companies/?cohort={month_of(m0 + 1):%Y-%m}"),
        (1, f"/contacts/?cohort={month_of(m0 + 1):%Y-%m}"),
    ]
    assert 'data-testid="cohort-link"' in page.content.decode()


def test_the_lists_narrowing_follows_the_readers_visibility(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view", "sales.view")
    hand_built(alpha)
    m0 = month_index(timezone.localdate()) - 3
    url = f"/companies/?cohort={month_of(m0):%Y-%m}"

    assert _count(alpha.client(), url) == 2
    assert _count(alpha.client(REP_EMAIL), url) == 0  # the admin's customers


def test_bad_values_other_lists_and_missing_permissions_are_refused(alpha: TenantFixture, beta: TenantFixture):
    hand_built(alpha)
    client = alpha.client()

    for value in ("2026-13", "26-01", "2026-01:x", "2026-01:12345"):
        response = client.get(f"/companies/?cohort={value}")
        assert response.status_code == 400, value
        assert response.content.decode().startswith("cohort:")
    assert client.get("/deals/?cohort=2026-01").status_code == 400

    revoke(alpha, "admin", "analytics.view")
    assert client.get("/companies/?cohort=2026-01").status_code == 403
    stolen = with_session_of(alpha.client(), beta.host).get("/companies/?cohort=2026-01")
    assert stolen.status_code == 302
    assert _count(beta.client(), "/companies/?cohort=2026-01") == 0
