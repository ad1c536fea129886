"""The order service: numbering, totals, quotes to orders, status transitions, bad input, history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from customization.events.models import DomainEvent
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.sales.choices import OrderStatus, QuoteStatus
from modules.sales.models import Order, OrderLine
from modules.sales.services.orders import (
    TRANSITIONS,
    add_order_line,
    create_order,
    create_order_from_quote,
    delete_order,
    remove_order_line,
    set_order_status,
    update_order,
    update_order_line,
)
from modules.sales.services.quotes import create_quote
from tests.factories import CompanyFactory, DealFactory, ProductFactory
from tests.sales.orders.conftest import accepted_quote, line, make_order
from tests.tenancy import TenantFixture, schema_snapshot

YEAR = 2026


@pytest.fixture(autouse=True)
def mid_year() -> Iterator[None]:
    with time_machine.travel(datetime(YEAR, 6, 15, 12, 0, tzinfo=UTC), tick=True):
        yield


def test_orders_are_numbered_per_year_and_totals_round_half_up(alpha: TenantFixture):
    with alpha.active():
        Order.objects.create(number=f"O-{YEAR}-0007", ordered_on=date(YEAR, 1, 2), total=0)
        Order.objects.create(number=f"O-{YEAR - 1}-0042", ordered_on=date(YEAR - 1, 5, 2), total=0)
    order = make_order(alpha, discount_percent=Decimal("5"), lines=0)
    with alpha.active():
        by = alpha.user()
        add_order_line(order, by=by, **line("A", "3", "19.99", discount_percent="10", tax_rate="19"))
        add_order_line(order, by=by, **line("B", "1", "0.05", tax_rate="9"))
        order.refresh_from_db()
        nets = list(order.lines.values_list("net_amount", flat=True))

    assert order.number == f"O-{YEAR}-0008"
    # 3 × 19.99 × 0.9 = 53.973 → 53.97; tax 53.97 × 0.95 × 19% = 9.741… → 9.74; 0.05 × 0.95 × 9% → 0.00
    assert nets == [Decimal("53.97"), Decimal("0.05")]
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        Decimal("54.02"), Decimal("2.70"), Decimal("9.74"), Decimal("61.06"),
    )  # fmt: skip


def test_an_accepted_quote_becomes_one_order_with_its_lines_and_totals(alpha: TenantFixture):
    quote = accepted_quote(alpha)
    with alpha.active():
        first = create_order_from_quote(quote, by=alpha.user())
        again = create_order_from_quote(quote, by=alpha.user())
        lines = list(first.lines.values_list("description", "quantity", "unit_price", "discount_percent", "tax_rate"))
        quote_lines = list(
            quote.lines.values_list("description", "quantity", "unit_price", "discount_percent", "tax_rate")
        )
        orders = Order.objects.count()
        events = list(DomainEvent.objects.filter(type="order.created").values_list("record_id", "data"))
        entries = TimelineEntry.objects.filter(kind=TimelineKind.ORDER, deal=quote.deal_id).count()

    assert again.pk == first.pk
    assert (first.quote_id, first.company_id, first.contact_id, first.deal_id, first.owner_id) == (
        quote.pk, quote.company_id, quote.contact_id, quote.deal_id, quote.owner_id,
    )  # fmt: skip
    assert (first.currency, first.discount_percent, first.total) == (
        quote.currency,
        quote.discount_percent,
        quote.total,
    )
    assert lines == quote_lines
    assert len(lines) == 2
    assert orders == 1
    assert events == [(first.pk, {"number": first.number, "total": str(first.total), "currency": "EUR",
                                  "quote_id": quote.pk, "quote_number": quote.number,
                                  "assignee_id": first.owner_id})]  # fmt: skip
    assert entries == 1
    assert first.status == OrderStatus.CONFIRMED
    assert first.confirmed_at is not None


def test_a_quote_not_accepted_makes_no_order(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(company=CompanyFactory(), owner=alpha.user())
        quote = create_quote(deal=deal, by=alpha.user())
        with pytest.raises(ValidationError) as raised:
            create_order_from_quote(quote, by=alpha.user())
        assert Order.objects.count() == 0
    assert "quote" in raised.value.message_dict


@pytest.mark.parametrize("start", list(OrderStatus))
@pytest.mark.parametrize("target", list(OrderStatus))
def test_status_moves_follow_the_transition_table(alpha: TenantFixture, start: OrderStatus, target: OrderStatus):
    order = make_order(alpha)
    with alpha.active():
        Order.objects.filter(pk=order.pk).update(status=start)
        order.refresh_from_db()
        if target in TRANSITIONS[start]:
            moved = set_order_status(order, target, by=alpha.user())
            stamped = getattr(moved, f"{target}_at")
            assert moved.status == target
            assert stamped is not None
            event = DomainEvent.objects.get(type="order.status_changed")
            assert event.data == {"from_status": start, "to_status": target}
            entry = TimelineEntry.objects.filter(kind=TimelineKind.ORDER, company=order.company_id).first()
            assert entry is not None
            assert entry.data["previous_status"] == start
        else:
            with pytest.raises(ValidationError) as raised:
                set_order_status(order, target, by=alpha.user())
            assert list(raised.value.message_dict) == ["status"]
            order.refresh_from_db()
            assert order.status == start
            assert not DomainEvent.objects.filter(type="order.status_changed").exists()


def test_the_full_life_of_an_order_stamps_each_status(alpha: TenantFixture):
    order = make_order(alpha)
    with alpha.active():
        for status in (OrderStatus.FULFILLED, OrderStatus.INVOICED, OrderStatus.PAID):
            order = set_order_status(order, status, by=alpha.user())
        order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.confirmed_at <= order.fulfilled_at <= order.invoiced_at <= order.paid_at


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"lines": [line(quantity="0")]}, "lines.0.quantity"),
        ({"lines": [line(), line(price="-1")]}, "lines.1.unit_price"),
        ({"lines": [line(discount_percent="101")]}, "lines.0.discount_percent"),
        ({"lines": [{"quantity": "1", "unit_price": "10"}]}, "lines.0.description"),
        ({"lines": [line(description="bad\x00text")]}, "lines.0.description"),
        ({"lines": [line(description="x" * 1001)]}, "lines.0.description"),
        ({"notes": "nul\x00"}, "notes"),
        ({"ordered_on": date(9999, 1, 1)}, "ordered_on"),
        ({"discount_percent": Decimal("150")}, "discount_percent"),
        ({"currency": "XXX"}, "currency"),
        ({"custom": {"nope": 1}}, "custom.nope"),
        ({"company": None, "contact": None}, "company"),
        ({"number": "O-1"}, "number"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(alpha: TenantFixture, values, field):
    with alpha.active():
        company = CompanyFactory()
    before = schema_snapshot(alpha.tenant)
    with alpha.active():
        values = {"company": company, **values}
        with pytest.raises(ValidationError) as raised:
            create_order(by=alpha.user(), **values)
    assert field in raised.value.message_dict
    assert schema_snapshot(alpha.tenant) == before


def test_lines_change_only_while_confirmed_and_totals_follow(alpha: TenantFixture):
    order = make_order(alpha, lines=2)
    with alpha.active():
        by = alpha.user()
        first, second = order.lines.all()
        update_order_line(first, by=by, quantity=Decimal("2"))
        remove_order_line(second, by=by)
        order.refresh_from_db()
        assert order.total == Decimal("200.00")
        set_order_status(order, OrderStatus.FULFILLED, by=by)
        order.refresh_from_db()
        with pytest.raises(ValidationError) as raised:
            add_order_line(order, by=by, **line())
        assert "lines" in raised.value.message_dict
        with pytest.raises(ValidationError) as raised:
            update_order(order, by=by, currency="RON")
        assert "currency" in raised.value.message_dict
        update_order(order, by=by, notes="Delivered by courier")
        order.refresh_from_db()
        assert order.notes == "Delivered by courier"
        assert order.lines.count() == 1


def test_a_product_fills_price_and_tax_and_a_product_in_another_currency_is_refused(alpha: TenantFixture):
    order = make_order(alpha, lines=0)
    with alpha.active():
        euro = ProductFactory(currency="EUR", unit_price=Decimal("40.00"), tax_rate=Decimal("19"), name="Drill")
        lei = ProductFactory(currency="RON", unit_price=Decimal("200.00"))
        added = add_order_line(order, by=alpha.user(), product=euro, quantity=Decimal("2"))
        with pytest.raises(ValidationError) as raised:
            add_order_line(order, by=alpha.user(), product=lei)
        assert OrderLine.objects.filter(order=order).count() == 1
    assert (added.description, added.unit_price, added.tax_rate) == ("Drill", Decimal("40.00"), Decimal("19"))
    assert "product" in raised.value.message_dict


def test_updates_and_deletion_write_timeline_and_events(alpha: TenantFixture):
    order = make_order(alpha)
    with alpha.active():
        by = alpha.user()
        update_order(order, by=by, notes="Rush")
        update_order(order, by=by, notes="Rush")  # no change, no history
        delete_order(order, by=by)
        types = list(DomainEvent.objects.order_by("id").values_list("type", flat=True))
        actions = list(
            TimelineEntry.objects.filter(kind=TimelineKind.ORDER, company=order.company_id)
            .order_by("id")
            .values_list("data__action", flat=True)
        )
        assert not Order.objects.exists()
        assert not OrderLine.objects.exists()
    assert types == ["order.created", "order.updated", "order.deleted"]
    assert actions == ["created", "updated", "deleted"]


def test_a_quote_that_is_not_accepted_yet_is_refused_even_when_sent(alpha: TenantFixture):
    quote = accepted_quote(alpha)
    with alpha.active():
        type(quote).objects.filter(pk=quote.pk).update(status=QuoteStatus.SENT)
        quote.refresh_from_db()
        with pytest.raises(ValidationError):
            create_order_from_quote(quote, by=alpha.user())
