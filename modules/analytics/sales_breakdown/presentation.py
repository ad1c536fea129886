"""Names and deal-list links for the groups of a sales breakdown: one query for product names,
none otherwise. A group's link opens the deal list on the won deals it counts (its lost deals with
``status=lost``), through the list's analysis filters (``modules.sales.selectors.deal_filters``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from customization.fields.choices import FieldType
from customization.fields.models import CustomFieldDefinition
from identity.models import Team, User
from modules.analytics.sales_breakdown.selectors import Breakdown, Group
from modules.contacts.company_size import size_band_label
from modules.sales.choices import DealStatus
from modules.sales.models import Product
from modules.sales.selectors.deal_filters import NONE


def _custom_label(definition: CustomFieldDefinition | None, value: str) -> str:
    if definition is None:
        return value
    if definition.field_type == FieldType.BOOLEAN:
        return _("Yes") if value == "true" else _("No") if value == "false" else value
    if definition.field_type == FieldType.SINGLE_SELECT:
        return definition.option_label(value)
    return value


def label_groups(result: Breakdown, definition: CustomFieldDefinition | None = None) -> None:
    """Sets each group's ``label`` in the reader's language."""
    names: dict[str, str] = {}
    if result.dimension == "product":
        ids = [int(group.key) for group in result.groups if group.key]
        names = {str(pk): name for pk, name in Product.objects.filter(pk__in=ids).values_list("pk", "name")}
    for group in result.groups:
        group.label = _group_label(result.dimension, group, names, definition)
    result.total.label = _("All deals")


def _group_label(dimension: str, group: Group, names: dict[str, str], definition: Any) -> str:
    empty = {
        "product": _("No product"),
        "industry": _("No industry"),
        "size": _("Size unknown"),
        "custom": _("No value"),
        "country": _("No country"),
    }
    if dimension == "region":
        if not group.region:
            return _("No region (%(country)s)") % {"country": group.key or "—"}
        return f"{group.region} ({group.key})" if group.key else group.region
    if not group.key:
        return str(empty[dimension])
    if dimension == "product":
        return names.get(group.key, "?")
    if dimension == "size":
        return size_band_label(group.key)
    if dimension == "custom":
        return _custom_label(definition, group.key)
    return group.key


def _group_params(result: Breakdown, group: Group) -> list[tuple[str, str]] | None:
    dimension = result.dimension
    if dimension == "product":
        return [("product", group.key)] if group.key else None  # "no product" has no list filter
    if dimension == "custom":
        return [("company_field", result.custom_field), ("company_value", group.key or NONE)]
    if dimension == "region":
        return [("country", group.key or NONE), ("region", group.region or NONE)]
    return [(dimension, group.key or NONE)]


def deal_list_url(
    result: Breakdown, group: Group | None, status: str = DealStatus.WON, *, owner: User | None, team: Team | None
) -> str | None:
    """The deal list on the group's deals of ``status`` (``group`` None: every deal of the breakdown)."""
    params: list[tuple[str, str]] = [
        ("status", status),
        ("closed_from", result.start.isoformat()),
        ("closed_to", result.end.isoformat()),
    ]
    if owner is not None:
        params.append(("owner", str(owner.pk)))
    if team is not None:
        params.append(("team", str(team.pk)))
    if group is not None:
        extra = _group_params(result, group)
        if extra is None:
            return None
        params += extra
    return f"{reverse('sales:deal-list')}?{urlencode(params)}"
