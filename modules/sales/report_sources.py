"""Leads, deals, orders and order lines as report sources (``modules.analytics.reports.registry``),
registered from ``SalesConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from modules.analytics.reports.registry import ListLink, ReportSource, register_source
from modules.sales.order_line_list import visible_order_lines
from modules.sales.selectors.deals import visible_deals, visible_leads
from modules.sales.selectors.orders import visible_orders

COMPANY_LINKS = ("company.industry", "company.country", "company.lifecycle_stage", "company.owner")


def register() -> None:
    register_source(
        ReportSource(
            key="leads", label=_("Leads"), model="sales.Lead", module="sales", visible=visible_leads, entity="lead",
            fields=(
                "full_name", "company_name", "status", "source", "country", "estimated_value", "currency", "owner",
                "converted_at", "created_at", "updated_at",
            ),
            money={"estimated_value": "currency"},
            list_link=ListLink("sales:lead-list", params={"owner": "owner", "status": "status", "source": "source"}),
            order=30,
        )
    )  # fmt: skip
    register_source(
        ReportSource(
            key="deals", label=_("Deals"), model="sales.Deal", module="sales", visible=visible_deals, entity="deal",
            fields=(
                "name", "pipeline", "stage", "status", "amount", "currency", "probability", "expected_close_date",
                "owner", "company", "contact", "lost_reason", "closed_at", "stage_entered_at", "created_at",
                "updated_at", *COMPANY_LINKS, "contact.job_title",
            ),
            money={"amount": "currency"},
            list_link=ListLink(
                "sales:deal-list",
                params={"pipeline": "pipeline", "stage": "stage", "owner": "owner", "status": "status"},
            ),
            order=40,
        )
    )  # fmt: skip
    register_source(
        ReportSource(
            key="orders", label=_("Orders"), model="sales.Order", module="sales", visible=visible_orders,
            entity="order",
            fields=(
                "number", "status", "ordered_on", "currency", "subtotal", "discount_total", "tax_total", "total",
                "owner", "company", "contact", "deal", "paid_at", "created_at", *COMPANY_LINKS,
            ),
            money={"subtotal": "currency", "discount_total": "currency", "tax_total": "currency", "total": "currency"},
            list_link=ListLink(
                "sales:order-list",
                params={"status": "status", "owner": "owner", "company": "company", "contact": "contact"},
                date_ranges={"ordered_on": ("from", "to")},
            ),
            order=50,
        )
    )  # fmt: skip
    register_source(
        ReportSource(
            key="order_lines", label=_("Order lines"), model="sales.OrderLine", module="sales",
            visible=visible_order_lines,
            fields=(
                "product", "description", "quantity", "unit_price", "discount_percent", "tax_rate", "net_amount",
                "order", "order.status", "order.ordered_on", "order.owner", "order.company", "order.currency",
            ),
            money={"unit_price": "order.currency", "net_amount": "order.currency"},
            owner_field="order.owner", order=60,
            list_link=ListLink(
                "sales:order-line-list",
                params={"product": "product", "order": "order", "order.status": "status", "order.owner": "owner",
                        "order.company": "company"},
                date_ranges={"order.ordered_on": ("from", "to")},
                list_key="order_line",
            ),
        )
    )  # fmt: skip
