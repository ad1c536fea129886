"""Small objects the service resources show for their links, and the fields that take them by id."""

from __future__ import annotations

from typing import Any

from api.rest.records import RelatedByIdField
from identity.models import Team
from modules.sales.models import Order, Product
from modules.service.models import Case, CaseCategory, CaseStatus


def status_summary(status: CaseStatus | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return {"id": status.pk, "key": status.key, "label": status.label, "category": status.category}


def category_summary(category: CaseCategory | None) -> dict[str, Any] | None:
    return None if category is None else {"id": category.pk, "name": category.name}


def team_summary(team: Team | None) -> dict[str, Any] | None:
    return None if team is None else {"id": team.pk, "name": team.name}


def order_summary(order: Order | None) -> dict[str, Any] | None:
    return None if order is None else {"id": order.pk, "number": order.number}


def product_summary(product: Product | None) -> dict[str, Any] | None:
    return None if product is None else {"id": product.pk, "name": product.name, "sku": product.sku}


def case_summary(case: Case | None) -> dict[str, Any] | None:
    return None if case is None else {"id": case.pk, "number": case.number, "subject": case.subject}


def status_field() -> RelatedByIdField:
    return RelatedByIdField(CaseStatus, status_summary, filters={"is_active": True})


def category_field() -> RelatedByIdField:
    return RelatedByIdField(CaseCategory, category_summary, filters={"is_active": True})


def team_field() -> RelatedByIdField:
    return RelatedByIdField(Team, team_summary)
