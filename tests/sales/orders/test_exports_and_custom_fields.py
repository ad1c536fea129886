"""Orders in list exports (filters, visibility, lines, constant queries) and custom fields on orders
(values validated by the service, shown on the page, carried by REST and GraphQL, filtered in the list)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.fields.services import create_definition
from modules.sales.models import Order
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client, field_names, patch
from tests.sales.orders.conftest import line, make_order
from tests.tenancy import REP_EMAIL, TenantFixture, grant


def rows(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_an_order_export_keeps_the_lists_filters_and_lists_the_lines(alpha: TenantFixture, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    paid = make_order(alpha, lines=0)
    with alpha.active():
        from modules.sales.services.orders import add_order_line, set_order_status

        add_order_line(paid, by=None, **line("Seeds", "3", "1.50"))
        for status in ("fulfilled", "invoiced", "paid"):
            set_order_status(paid, status, by=None)
    make_order(alpha)  # confirmed: filtered out

    response = alpha.client().get("/exports/list/order/csv/?status=paid")

    assert response.status_code == 200
    exported = rows(response)
    assert [row["Number"] for row in exported] == [paid.number]
    assert exported[0]["Lines"] == "3.000 × Seeds @ 1.50"
    assert exported[0]["Total"] == "4.50"


def test_a_rep_exports_only_their_orders_and_the_query_count_does_not_grow(alpha: TenantFixture, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    grant(alpha, "sales_rep", "data.export")
    own = make_order(alpha, owner_email=REP_EMAIL)
    make_order(alpha)
    client = alpha.client(REP_EMAIL)

    def export() -> tuple[int, list[dict[str, str]]]:
        with CaptureQueriesContext(connection) as queries:
            exported = rows(client.get("/exports/list/order/csv/"))
        return len(queries), exported

    few, exported = export()
    for _ in range(20):
        make_order(alpha, owner_email=REP_EMAIL, lines=3)
    many, _exported = export()

    assert [row["Number"] for row in exported] == [own.number]
    assert many == few


def test_custom_fields_on_orders_are_validated_shown_and_filtered(alpha: TenantFixture):
    with alpha.active():
        create_definition(by=None, entity="order", key="po_number", label="PO number", field_type="text")
        create_definition(by=None, entity="order", key="priority", label="Priority", field_type="single_select",
                          options=[{"value": "high", "label": "High"}, {"value": "low", "label": "Low"}])  # fmt: skip
    order = make_order(alpha, custom={"po_number": "PO-778", "priority": "high"})
    make_order(alpha, custom={"priority": "low"})
    rest = api_client(alpha)

    page = alpha.client().get(f"/orders/{order.pk}/").content.decode()
    listed = rest.get("/api/v1/orders/?custom.priority=high").json()["results"]
    refused = patch(rest, f"/api/v1/orders/{order.pk}/", {"custom": {"priority": "urgent"}})
    query = "{ orders(first: 10) { edges { node { number custom { poNumber } } } } }"
    over_graphql = post_graphql(alpha.client(), query).json()["data"]["orders"]["edges"]
    list_page = alpha.client().get("/orders/?cf.priority=high").content.decode()

    assert "PO-778" in page
    assert [row["id"] for row in listed] == [order.pk]
    assert listed[0]["custom"]["po_number"] == "PO-778"
    assert refused.status_code == 400
    assert field_names(refused) == ["custom.priority"]
    assert {"number": order.number, "custom": {"poNumber": "PO-778"}} in [edge["node"] for edge in over_graphql]
    assert order.number in list_page
    with alpha.active():
        assert Order.objects.get(pk=order.pk).custom["priority"] == "high"
