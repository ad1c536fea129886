"""Importing orders: headers found by number, company and contact, bad rows reported by column,
repeated numbers refused, update mode by number, the order timeline entry and one event each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from customization.events.models import DomainEvent
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.dataio.imports.choices import DedupeRule
from modules.sales.models import Order
from tests.dataio.imports.conftest import csv_bytes, imported, uploaded_job
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import TenantFixture

HEADER = ["Order number", "Order date", "Company", "Contact", "Currency", "Discount", "Notes"]


def test_orders_import_by_number_and_bad_rows_are_named(alpha: TenantFixture) -> None:
    with alpha.active():
        company = CompanyFactory(name="Brick & Mortar")
        contact = ContactFactory(email="buyer@brick.example", company=company)
        rows = [
            HEADER,
            ["ERP-1001", "2025-03-14", "Brick & Mortar", "BUYER@brick.example", "ron", "5", "Pallets"],
            ["ERP-1002", "2025-04-01", "No such company", "", "EUR", "", ""],
            ["ERP-1001", "2025-05-01", "Brick & Mortar", "", "EUR", "", "the same number again"],
            ["", "2025-05-02", "Brick & Mortar", "", "EUR", "", ""],
            ["ERP-1003", "31/12/2025", "Brick & Mortar", "", "EUR", "120", ""],
        ]
        job = imported(uploaded_job("order", csv_bytes(rows), by=alpha.user(), name="orders.csv"))

        order = Order.objects.get()
        errors = {error.row_number: error.errors for error in job.row_errors.all()}
        entry = TimelineEntry.objects.get(kind=TimelineKind.ORDER, company=company)
        events = list(DomainEvent.objects.filter(type="order.created").values_list("record_id", flat=True))
    assert job.mapping[:5] == ["number", "ordered_on", "company", "contact", "currency"]
    assert (order.number, order.ordered_on, order.company_id, order.contact_id) == (
        "ERP-1001", date(2025, 3, 14), company.pk, contact.pk,
    )  # fmt: skip
    assert (order.currency, order.discount_percent, order.status, order.notes) == (
        "RON", Decimal("5"), "confirmed", "Pallets",
    )  # fmt: skip
    assert order.confirmed_at is not None
    assert set(errors) == {3, 4, 5, 6}
    assert list(errors[3]) == ["company"]
    assert list(errors[4]) == ["number"]
    assert "number" in errors[5]
    assert set(errors[6]) == {"ordered_on", "discount_percent"}
    assert entry.data["number"] == "ERP-1001"
    assert events == [order.pk]


def test_update_mode_finds_orders_by_number_and_keeps_their_amounts(alpha: TenantFixture) -> None:
    with alpha.active():
        company = CompanyFactory(name="Brick & Mortar")
        first = imported(
            uploaded_job("order", csv_bytes([HEADER, ["ERP-7", "2025-03-14", "Brick & Mortar", "", "EUR", "", ""]]),
                         by=alpha.user())
        )  # fmt: skip
        assert first.row_errors.count() == 0
        update = [HEADER, ["erp-7", "2025-03-15", "Brick & Mortar", "", "EUR", "", "Delivered to the back door"]]
        updated = imported(uploaded_job("order", csv_bytes(update), by=alpha.user(), dedupe=DedupeRule.UPDATE))
        other_currency = [HEADER, ["ERP-7", "2025-03-16", "Brick & Mortar", "", "RON", "", ""]]
        refused = imported(uploaded_job("order", csv_bytes(other_currency), by=alpha.user(), dedupe=DedupeRule.UPDATE))

        order = Order.objects.get()
        assert updated.row_errors.count() == 0
        errors = refused.row_errors.get().errors
    assert (order.number, order.ordered_on, order.notes, order.company_id) == (
        "ERP-7", date(2025, 3, 15), "Delivered to the back door", company.pk,
    )  # fmt: skip
    assert list(errors) == ["currency"]
