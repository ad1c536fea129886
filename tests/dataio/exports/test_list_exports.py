"""List exports in the request: the list's filters and order, visibility, custom columns, typed
XLSX, formula injection, permissions and a query count that does not grow with the rows."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from customization.fields.services import create_definition
from modules.contacts.models import Company, Contact
from tests.dataio.exports.conftest import body_of, csv_rows, xlsx_rows
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory, TagFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke


def define(entity: str, key: str, field_type: str, **attributes: object) -> None:
    attributes.setdefault("label", key.replace("_", " ").title())
    create_definition(by=None, entity=entity, key=key, field_type=field_type, **attributes)


def test_a_contact_export_keeps_the_lists_filters_order_and_custom_filter(alpha: TenantFixture):
    with alpha.active():
        define("contact", "score", "number")
        tag = TagFactory(name="vip")
        rows = [
            ContactFactory(first_name="Ann", lifecycle_stage="customer", custom={"score": 9}),
            ContactFactory(first_name="Bob", lifecycle_stage="customer", custom={"score": 2}),
            ContactFactory(first_name="Cid", lifecycle_stage="customer", custom={"score": 7}),
            ContactFactory(first_name="Dan", lifecycle_stage="lead", custom={"score": 8}),
        ]
        rows[0].tags.add(tag)

    response = alpha.client().get("/exports/list/contact/csv/?lifecycle_stage=customer&cf.score.gte=5&sort=-full_name")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contact-export-')
    exported = csv_rows(response)
    assert [row["First name"] for row in exported] == ["Cid", "Ann"]
    assert [row["Score"] for row in exported] == ["7", "9"]
    assert exported[1]["Tags"] == "vip"
    assert exported[1]["ID"] == str(rows[0].pk)


def test_a_custom_sort_is_the_lists_order(alpha: TenantFixture):
    with alpha.active():
        define("company", "rank", "number")
        for name, rank in (("Alpha", 3), ("Beta", None), ("Gamma", 1), ("Delta", 2)):
            CompanyFactory(name=name, custom={} if rank is None else {"rank": rank})

    response = alpha.client().get("/exports/list/company/csv/?sort=cf.rank")

    assert [row["Name"] for row in csv_rows(response)] == ["Gamma", "Delta", "Alpha", "Beta"]


@pytest.mark.parametrize(
    ("entity", "query"),
    [("lead", "status=new&sort=name"), ("deal", "status=open&sort=name"), ("activity", "status=all&assignee=all")],
)
def test_leads_deals_and_activities_export_with_their_filters(alpha: TenantFixture, entity: str, query: str):
    with alpha.active():
        if entity == "lead":
            LeadFactory(first_name="Zed", status="new")
            LeadFactory(first_name="Amy", status="new")
            LeadFactory(first_name="Old", status="unqualified")
            expected = ["Amy", "Zed"]
        elif entity == "deal":
            DealFactory(name="Zulu deal")
            DealFactory(name="Alpha deal")
            DealFactory(name="Lost deal", status="lost")
            expected = ["Alpha deal", "Zulu deal"]
        else:
            late = ActivityFactory(subject="Later", assignee=alpha.user())
            ActivityFactory(subject="Sooner", assignee=alpha.user(), due_at=late.due_at.replace(year=2020))
            expected = ["Later", "Sooner"]  # "all" statuses: latest due first

    response = alpha.client().get(f"/exports/list/{entity}/csv/?{query}")

    assert response.status_code == 200
    column = {"lead": "First name", "deal": "Name", "activity": "Subject"}[entity]
    assert [row[column] for row in csv_rows(response)] == expected


def test_a_rep_exports_only_their_own_records(alpha: TenantFixture):
    grant(alpha, "sales_rep", "data.export")
    with alpha.active():
        CompanyFactory(name="Mine Ltd", owner=alpha.user(REP_EMAIL))
        CompanyFactory(name="Not mine Ltd", owner=alpha.user())

    response = alpha.client(REP_EMAIL).get("/exports/list/company/csv/")

    assert response.status_code == 200
    assert [row["Name"] for row in csv_rows(response)] == ["Mine Ltd"]


def test_custom_columns_are_typed_in_xlsx(alpha: TenantFixture):
    with alpha.active():
        admin = alpha.user()
        define("deal", "seats", "number")
        define("deal", "budget", "money", currency="EUR")
        define("deal", "signed_on", "date")
        define("deal", "renewal", "boolean")
        define("deal", "champion", "user")
        define("deal", "notes_cf", "text")
        DealFactory(
            name="Typed deal",
            amount=Decimal("1234.50"),
            custom={
                "seats": 40,
                "budget": {"amount": "99.90", "currency": "USD"},
                "signed_on": "2026-03-01",
                "renewal": True,
                "champion": admin.pk,
                "notes_cf": "=1+1",
            },
        )

    response = alpha.client().get("/exports/list/deal/xlsx/")

    assert response.status_code == 200
    headers, rows = xlsx_rows(body_of(response))
    row = dict(zip(headers, rows[0], strict=True))
    assert row["Name"] == "Typed deal"
    assert row["Amount"] == 1234.5
    assert row["Seats"] == 40
    assert row["Budget"] == pytest.approx(99.9)
    assert row["Budget (currency)"] == "USD"
    assert row["Signed On"].date() == date(2026, 3, 1)
    assert row["Renewal"] is True
    assert row["Champion"] == "admin@example.test"
    assert row["Notes Cf"] == "=1+1"  # text, not a formula


def test_formula_injection_is_neutralised_in_csv_and_xlsx(alpha: TenantFixture):
    with alpha.active():
        for name in ('=HYPERLINK("http://evil")', "+1+2", "-3", "@SUM(A1)", "Plain"):
            CompanyFactory(name=name)

    csv_names = [row["Name"] for row in csv_rows(alpha.client().get("/exports/list/company/csv/"))]
    workbook = body_of(alpha.client().get("/exports/list/company/xlsx/"))

    assert sorted(csv_names) == sorted(['\'=HYPERLINK("http://evil")', "'+1+2", "'-3", "'@SUM(A1)", "Plain"])

    sheet = load_workbook(io.BytesIO(workbook)).worksheets[0]
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in cells} >= {'=HYPERLINK("http://evil")', "+1+2"}
    assert all(cell.data_type == "s" for cell in cells)


def test_exporting_needs_the_export_permission(alpha: TenantFixture):
    with alpha.active():
        CompanyFactory(name="Secret Ltd", owner=alpha.user(REP_EMAIL))

    response = alpha.client(REP_EMAIL).get("/exports/list/company/csv/")

    assert response.status_code == 403
    assert b"Export record lists to files" in response.content
    assert b"Secret Ltd" not in response.content


def test_exporting_needs_the_lists_own_view_permission(alpha: TenantFixture):
    revoke(alpha, "admin", "sales.view")

    response = alpha.client().get("/exports/list/deal/csv/")

    assert response.status_code == 403


def test_the_menu_shows_only_with_the_export_permission(alpha: TenantFixture):
    assert b'data-testid="export-menu"' in alpha.client().get("/contacts/").content
    assert b'data-testid="export-menu"' not in alpha.client(REP_EMAIL).get("/contacts/").content


def test_a_bad_custom_filter_is_refused_naming_the_field(alpha: TenantFixture):
    with alpha.active():
        define("contact", "score", "number")

    response = alpha.client().get("/exports/list/contact/csv/?cf.score.gte=lots")

    assert response.status_code == 400
    assert b"Score" in response.content


def test_a_bad_activity_filter_is_refused_naming_the_field(alpha: TenantFixture):
    response = alpha.client().get("/exports/list/activity/csv/?status=sleeping")

    assert response.status_code == 400
    assert b"status" in response.content


def test_an_unknown_list_or_format_is_404(alpha: TenantFixture):
    assert alpha.client().get("/exports/list/invoice/csv/").status_code == 404
    assert alpha.client().get("/exports/list/company/pdf/").status_code == 404


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_query_count_does_not_grow_with_the_rows(alpha: TenantFixture, file_format: str):
    with alpha.active():
        define("contact", "buddy", "user")
        define("contact", "employer", "reference", reference_entity="company")
        company = CompanyFactory(name="Employer")

    def export(count: int) -> int:
        with alpha.active():
            custom = {"buddy": alpha.user().pk, "employer": company.pk}
            for _ in range(count):
                contact: Contact = ContactFactory(company=company, owner=alpha.user(), custom=custom)
                contact.tags.add(TagFactory())
        client = alpha.client()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/exports/list/contact/{file_format}/")
            body = body_of(response)
        assert response.status_code == 200
        assert body
        return len(queries)

    assert export(5) == export(60)


def test_other_tenants_rows_never_appear(alpha: TenantFixture, beta: TenantFixture):
    with beta.active():
        CompanyFactory(name="Beta only Ltd")
    with alpha.active():
        CompanyFactory(name="Alpha only Ltd")

    names = [row["Name"] for row in csv_rows(alpha.client().get("/exports/list/company/csv/"))]

    assert "Alpha only Ltd" in names
    assert "Beta only Ltd" not in names
    with alpha.active():
        assert Company.objects.filter(name="Beta only Ltd").count() == 0
