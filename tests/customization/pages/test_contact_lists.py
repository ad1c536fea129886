"""Custom fields on the company and contact lists: filters, sorting across keyset pages, columns,
saved views, query counts and tenant isolation."""

import re
from urllib.parse import urlencode

from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.contacts.models import SavedView
from tests.customization.pages.conftest import REGIONS, define
from tests.factories import CompanyFactory, ContactFactory
from tests.page_text import texts_after
from tests.tenancy import TenantFixture


def _names(html: str) -> list[str]:
    # The record's name is the first link of its row's name cell (which may also hold an inline editor).
    return re.findall(r'class="list-name">.*?<a href="[^"]*"[^>]*>([^<]+)</a>', html, flags=re.DOTALL)


def test_the_contact_list_filters_by_a_custom_select(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("contact", "region", "single_select", options=REGIONS, label="Region")
        ContactFactory(first_name="Nora", last_name="North", owner=admin, custom={"region": "north"})
        ContactFactory(first_name="Sam", last_name="South", owner=admin, custom={"region": "south"})
        ContactFactory(first_name="Nia", last_name="Nowhere", owner=admin)
    client = alpha.client()

    html = client.get("/contacts/", {"cf.region": "north"}).content.decode()
    others = client.get("/contacts/", {"cf.region.ne": "north"}).content.decode()
    empty = client.get("/contacts/", {"cf.region.isnull": "true"}).content.decode()

    assert _names(html) == ["Nora North"]
    assert 'data-testid="custom-filter">Region is North' in html
    assert _names(others) == ["Nia Nowhere", "Sam South"]
    assert _names(empty) == ["Nia Nowhere"]


def test_the_add_filter_control_becomes_a_cf_parameter(alpha: TenantFixture):
    with alpha.active():
        define("company", "employees", "number")

    response = alpha.client().get(
        "/companies/", {"q": "acme", "cf_field": "employees", "cf_op": "gte", "cf_value": "10"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/companies/?" + urlencode({"q": "acme", "cf.employees.gte": "10"})


def test_a_bad_filter_value_is_reported_and_not_applied(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("company", "employees", "number", label="Employees")
        CompanyFactory(name="Acme", owner=admin, custom={"employees": 5})

    bad_value = alpha.client().get("/companies/", {"cf.employees.gt": "many"})
    bad_operator = alpha.client().get("/companies/", {"cf.employees.contains": "5"})

    assert bad_value.status_code == 400
    assert "Filter “Employees”: Enter a whole number." in bad_value.content.decode()
    assert _names(bad_value.content.decode()) == ["Acme"]
    assert bad_operator.status_code == 400
    assert "This field can be filtered with: eq, ne, isnull, gt, gte, lt, lte." in bad_operator.content.decode()


def test_sorting_by_a_custom_number_is_right_across_keyset_pages(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("contact", "score", "number", label="Score")
        for n in range(56):
            custom = {} if n % 7 == 0 else {"score": n % 5}
            ContactFactory(first_name=f"P{n:02}", last_name="X", owner=admin, custom=custom)
    client = alpha.client()
    for descending in (False, True):
        sort = "-cf.score" if descending else "cf.score"
        first = client.get("/contacts/", {"sort": sort, "columns": "score"}).content.decode()
        next_link = re.search(r'href="\?([^"]+)" rel="next"', first)
        assert next_link is not None
        second = client.get("/contacts/?" + next_link.group(1).replace("&amp;", "&")).content.decode()
        names = _names(first) + _names(second)
        scores = texts_after(first, 'data-cf="score">', "</td>") + texts_after(second, 'data-cf="score">', "</td>")

        assert len(names) == 56
        assert len(set(names)) == 56
        assert len(scores) == 56
        values = [None if score == "—" else int(score) for score in scores]
        present = [value for value in values if value is not None]
        assert present == sorted(present, reverse=descending)
        assert values[-8:] == [None] * 8  # empty values last, in both directions


def test_custom_columns_show_formatted_values_and_cost_the_same_queries_for_5_or_50_rows(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("company", "region", "single_select", options=REGIONS, label="Region")
        define("company", "manager", "user", label="Manager")
        define("company", "parent", "reference", reference_entity="company", label="Parent")
        define("company", "arr", "money", label="ARR")
        parent = CompanyFactory(name="AAA Parent", owner=admin)
    client = alpha.client()
    params = {"columns": "region,manager,parent,arr"}

    def count_queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/companies/", params)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    def add(count: int) -> None:
        with alpha.active():
            for _n in range(count):
                CompanyFactory(
                    owner=admin,
                    custom={"region": "south", "manager": admin.pk, "parent": parent.pk,
                            "arr": {"amount": "1500.00", "currency": "EUR"}},
                )  # fmt: skip

    add(4)
    few, html = count_queries()
    add(45)
    many, _html = count_queries()

    assert few == many
    assert 'data-testid="column-cf.region"' in html
    assert set(texts_after(html, 'data-cf="region">', "</td>")) == {"South", "—"}  # the parent has none
    assert set(texts_after(html, 'data-cf="manager">', "</td>")) == {f"{admin}", "—"}
    assert f'<a href="/companies/{parent.pk}/">AAA Parent</a>' in html
    assert set(texts_after(html, 'data-cf="arr">', "</td>")) == {"1,500.00 EUR", "—"}


def test_a_saved_view_keeps_custom_filters_sort_and_columns(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("contact", "region", "single_select", options=REGIONS, label="Region")
        define("contact", "score", "number", label="Score")
        ContactFactory(first_name="Nora", last_name="North", owner=admin, custom={"region": "north", "score": 2})
        ContactFactory(first_name="Ned", last_name="North", owner=admin, custom={"region": "north", "score": 9})
        ContactFactory(first_name="Sam", last_name="South", owner=admin, custom={"region": "south"})
    client = alpha.client()

    response = client.post(
        "/contacts/views/contact/save/",
        {"name": "Northerners", "cf.region": "north", "sort": "-cf.score", "columns": "score,region"},
    )

    with alpha.active():
        saved = SavedView.objects.get(name="Northerners")
    assert response.status_code == 302
    assert saved.query == {"sort": "-cf.score", "cf.region": "north"}
    assert saved.columns == ["score", "region"]
    opened = client.get("/contacts/", {"view": saved.pk})
    assert opened.status_code == 302
    html = client.get(opened["Location"]).content.decode()
    assert _names(html) == ["Ned North", "Nora North"]
    assert html.index('data-testid="column-cf.region"') < html.index('data-testid="column-cf.score"')


def test_beta_sees_none_of_alphas_custom_fields(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        define("contact", "secret_region", "single_select", options=REGIONS, label="Secret region")
        define("company", "secret_tier", "text", label="Secret tier")
    with beta.active():
        ContactFactory(first_name="Bea", last_name="Beta", owner=beta.user())
    client = beta.client()

    form = client.get("/contacts/new/").content.decode()
    company_form = client.get("/companies/new/").content.decode()
    listing = client.get("/contacts/", {"columns": "secret_region"}).content.decode()
    filtered = client.get("/contacts/", {"cf.secret_region": "north"})

    assert "secret_region" not in form
    assert "Secret region" not in form
    assert "secret_tier" not in company_form
    assert "Secret region" not in listing
    assert filtered.status_code == 400
    html = filtered.content.decode()
    assert "There is no custom field “secret_region”; its filter is not applied." in html
    assert "Secret region" not in html
    assert _names(html) == ["Bea Beta"]
