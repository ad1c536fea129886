"""What a list export reads: for each record list, the page's own selectors (visibility, filters,
``cf.<key>`` custom-field filters) in the page's own order, and the columns a row becomes.

The rows are one SQL query (tags come as an array subquery, links by join), read by the exporter in
batches through a server-side cursor, so the query count does not grow with the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import CharField, F, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customization.fields.listing import ListState, read_state
from customization.fields.queries import order_by_custom
from identity.models import User
from modules.activities.choices import ActivityStatus
from modules.activities.forms import FilterForm
from modules.activities.selectors import filter_activities, visible_activities
from modules.contacts.models import Tag
from modules.contacts.selectors.lists import COMPANY_LIST, CONTACT_LIST, ListSpec, filtered, sort_of
from modules.lists.definition import apply_extension_filters, registered_narrowings
from modules.sales.models import OrderLine
from modules.sales.selectors.deals import (
    DEAL_SORTS,
    LEAD_SORTS,
    filter_deals,
    filter_leads,
    visible_deals,
    visible_leads,
)
from modules.sales.selectors.orders import ORDER_SORTS, filter_orders, visible_orders

TAGS = "_export_tags"


class InvalidListQuery(ValueError):
    """The list's own filter form refused the query string; ``errors`` maps field → messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: Callable[[Any], Any]


def _related(name: str, attribute: str) -> Callable[[Any], Any]:
    def read(row: Any) -> Any:
        target = getattr(row, name)
        return None if target is None else getattr(target, attribute)

    return read


def _field(name: str) -> Callable[[Any], Any]:
    return lambda row: getattr(row, name)


def _tags(row: Any) -> str:
    return ", ".join(getattr(row, TAGS, None) or [])


def _with_tags(queryset: QuerySet[Any], related_name: str) -> QuerySet[Any]:
    names = Tag.objects.filter(**{related_name: OuterRef("pk")}).order_by("name").values("name")
    return queryset.annotate(**{TAGS: ArraySubquery(names)})


def _narrowed(entity: str, queryset: QuerySet[Any], params: QueryDict, user: User) -> QuerySet[Any]:
    """A list narrowed to records another module worked out (a report's group, ``?cell=``) exports
    only those, as its page shows only those: the narrowing is resolved again for the reader. A
    value it cannot read is refused naming its parameter; one the reader may not use raises
    PermissionDenied."""
    for narrowing in registered_narrowings():
        value = params.get(narrowing.param)
        if not value:
            continue
        try:
            ids, _label = narrowing.narrow(entity, str(value), user)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {narrowing.param: error.messages}
            raise InvalidListQuery(errors) from None
        queryset = queryset.filter(pk__in=ids)
    return queryset


@dataclass(frozen=True)
class ListSource:
    """One record list: its entity (custom-field key), the module and permission its page needs,
    how its page selects and orders rows, and the standard columns of an exported row."""

    entity: str
    title: str | Promise
    module: str
    permission: str
    select: Callable[[User, QueryDict, ListState], QuerySet[Any]]
    columns: tuple[Column, ...]
    # Columns that depend on the reader (links shown by the link rule); ``columns`` otherwise.
    reader_columns: Callable[[User], tuple[Column, ...]] | None = None

    def rows(self, user: User, params: QueryDict) -> tuple[QuerySet[Any], ListState]:
        """The rows the list page would show (all pages of them), and its custom-field state."""
        state = read_state(self.entity, params)
        return _narrowed(self.entity, self.select(user, params, state), params, user), state

    def columns_for(self, user: User) -> tuple[Column, ...]:
        return self.columns if self.reader_columns is None else self.reader_columns(user)


def _record_rows(
    list_key: str, spec: ListSpec, related_name: str, links: tuple[str, ...]
) -> Callable[..., QuerySet[Any]]:
    def select(user: User, params: QueryDict, state: ListState) -> QuerySet[Any]:
        # The filters other modules add to the list (a score, a segment) narrow its export too.
        queryset = apply_extension_filters(list_key, state.apply(filtered(spec, user, params)), params, user)
        queryset = queryset.select_related(*links)
        queryset = _with_tags(queryset, related_name)
        if state.sort is not None:
            return order_by_custom(queryset, state.sort, descending=state.descending)
        sort = sort_of(spec, params)
        field = sort.lstrip("-")
        return queryset.order_by(*([f"-{field}", "-pk"] if sort.startswith("-") else [field, "pk"]))

    return select


def _select_leads(user: User, params: QueryDict, state: ListState) -> QuerySet[Any]:
    leads = apply_extension_filters("lead", state.apply(filter_leads(visible_leads(user), params)), params, user)
    queryset = _with_tags(leads.select_related("owner"), "leads")
    if state.sort is not None:
        return order_by_custom(queryset, state.sort, descending=state.descending)
    sort = params.get("sort", "-created")
    field, descending = LEAD_SORTS[sort] if sort in LEAD_SORTS else next(iter(LEAD_SORTS.values()))
    order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return queryset.order_by(order, "-pk" if descending else "pk")


def _select_deals(user: User, params: QueryDict, state: ListState) -> QuerySet[Any]:
    queryset = state.apply(filter_deals(visible_deals(user), params))
    queryset = _with_tags(queryset.select_related("stage", "owner", "company", "contact", "pipeline"), "deals")
    if state.sort is not None:
        return order_by_custom(queryset, state.sort, descending=state.descending)
    sort = params.get("sort", "-updated")
    field, descending = DEAL_SORTS[sort] if sort in DEAL_SORTS else DEAL_SORTS["-updated"]
    return queryset.order_by(f"-{field}" if descending else field, "-id" if descending else "id")


LINES = "_export_lines"


def _lines(row: Any) -> str:
    return "; ".join(getattr(row, LINES, None) or [])


def _select_orders(user: User, params: QueryDict, state: ListState) -> QuerySet[Any]:
    queryset = state.apply(filter_orders(visible_orders(user), params)).select_related("owner", "company", "contact")
    # "<quantity> × <description> @ <unit price>" per line, in line order, as one array column.
    lines = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by("position", "id")
        .annotate(text=Concat(Cast("quantity", CharField()), Value(" × "), "description", Value(" @ "),
                              Cast("unit_price", CharField()), output_field=CharField()))
        .values("text")
    )  # fmt: skip
    queryset = queryset.annotate(**{LINES: ArraySubquery(lines)})
    if state.sort is not None:
        return order_by_custom(queryset, state.sort, descending=state.descending)
    sort = params.get("sort", "-ordered")
    field, descending = ORDER_SORTS[sort] if sort in ORDER_SORTS else ORDER_SORTS["-ordered"]
    return queryset.order_by(f"-{field}" if descending else field, "-id" if descending else "id")


def _select_activities(user: User, params: QueryDict, state: ListState) -> QuerySet[Any]:
    form = FilterForm(params or None, user=user)
    if form.is_bound and not form.is_valid():
        raise InvalidListQuery({field: [str(error) for error in errors] for field, errors in form.errors.items()})
    filters = form.cleaned_data if form.is_bound else {}
    queryset = state.apply(filter_activities(visible_activities(user), filters, user))
    if state.sort is not None:
        return order_by_custom(queryset, state.sort, descending=state.descending)
    if (filters.get("status") or ActivityStatus.OPEN) == ActivityStatus.OPEN:
        return queryset.order_by("due_at", "id")
    return queryset.order_by("-due_at", "-id")


_OWNER = Column(_("Owner"), _related("owner", "email"))
_CREATED = Column(_("Created"), _field("created_at"))
_UPDATED = Column(_("Updated"), _field("updated_at"))
_ADDRESS = (
    Column(_("Street"), _field("street")),
    Column(_("City"), _field("city")),
    Column(_("Region"), _field("region")),
    Column(_("Postal code"), _field("postal_code")),
    Column(_("Country"), _field("country")),
)

SOURCES: dict[str, ListSource] = {
    "company": ListSource(
        entity="company",
        title=_("Companies"),
        module="contacts",
        permission="contacts.view",
        select=_record_rows("company", COMPANY_LIST, "companies", ("owner",)),
        columns=(
            Column(_("ID"), _field("pk")),
            Column(_("Name"), _field("name")),
            Column(_("E-mail"), _field("email")),
            Column(_("Phone"), _field("phone")),
            Column(_("Website"), _field("website")),
            Column(_("Industry"), _field("industry")),
            Column(_("Employees"), _field("employee_count")),
            *_ADDRESS,
            Column(_("Stage"), _field("lifecycle_stage")),
            Column(_("Source"), _field("source")),
            _OWNER,
            Column(_("Tags"), _tags),
            _CREATED,
            _UPDATED,
        ),
    ),
    "contact": ListSource(
        entity="contact",
        title=_("Contacts"),
        module="contacts",
        permission="contacts.view",
        select=_record_rows("contact", CONTACT_LIST, "contacts", ("owner", "company")),
        columns=(
            Column(_("ID"), _field("pk")),
            Column(_("First name"), _field("first_name")),
            Column(_("Last name"), _field("last_name")),
            Column(_("E-mail"), _field("email")),
            Column(_("Phone"), _field("phone")),
            Column(_("Job title"), _field("job_title")),
            Column(_("Department"), _field("department")),
            Column(_("Company"), _related("company", "name")),
            *_ADDRESS,
            Column(_("Stage"), _field("lifecycle_stage")),
            Column(_("Source"), _field("source")),
            _OWNER,
            Column(_("Tags"), _tags),
            _CREATED,
            _UPDATED,
        ),
    ),
    "lead": ListSource(
        entity="lead",
        title=_("Leads"),
        module="sales",
        permission="sales.view",
        select=_select_leads,
        columns=(
            Column(_("ID"), _field("pk")),
            Column(_("First name"), _field("first_name")),
            Column(_("Last name"), _field("last_name")),
            Column(_("Company"), _field("company_name")),
            Column(_("Job title"), _field("job_title")),
            Column(_("E-mail"), _field("email")),
            Column(_("Phone"), _field("phone")),
            Column(_("Country"), _field("country")),
            Column(_("Status"), _field("status")),
            Column(_("Source"), _field("source")),
            Column(_("Estimated value"), _field("estimated_value")),
            Column(_("Currency"), _field("currency")),
            _OWNER,
            Column(_("Tags"), _tags),
            _CREATED,
            _UPDATED,
        ),
    ),
    "deal": ListSource(
        entity="deal",
        title=_("Deals"),
        module="sales",
        permission="sales.view",
        select=_select_deals,
        columns=(
            Column(_("ID"), _field("pk")),
            Column(_("Name"), _field("name")),
            Column(_("Pipeline"), _related("pipeline", "name")),
            Column(_("Stage"), _related("stage", "name")),
            Column(_("Status"), _field("status")),
            Column(_("Amount"), _field("amount")),
            Column(_("Currency"), _field("currency")),
            Column(_("Win probability (%)"), _field("probability")),
            Column(_("Expected close date"), _field("expected_close_date")),
            Column(_("Company"), _related("company", "name")),
            Column(_("Contact"), _related("contact", "full_name")),
            _OWNER,
            Column(_("Tags"), _tags),
            Column(_("Closed"), _field("closed_at")),
            _CREATED,
            _UPDATED,
        ),
    ),
    "order": ListSource(
        entity="order",
        title=_("Orders"),
        module="sales",
        permission="sales.view",
        select=_select_orders,
        columns=(
            Column(_("ID"), _field("pk")),
            Column(_("Number"), _field("number")),
            Column(_("Status"), _field("status")),
            Column(_("Order date"), _field("ordered_on")),
            Column(_("Company"), _related("company", "name")),
            Column(_("Contact"), _related("contact", "full_name")),
            Column(_("Currency"), _field("currency")),
            Column(_("Discount (%)"), _field("discount_percent")),
            Column(_("Subtotal"), _field("subtotal")),
            Column(_("Tax"), _field("tax_total")),
            Column(_("Total"), _field("total")),
            Column(_("Lines"), _lines),
            Column(_("Notes"), _field("notes")),
            _OWNER,
            Column(_("Paid"), _field("paid_at")),
            _CREATED,
            _UPDATED,
        ),
    ),
    "activity": ListSource(
        entity="activity",
        title=_("Activities"),
        module="activities",
        permission="activities.view",
        select=_select_activities,
        columns=(
            Column(_("ID"), _field("pk")),
            Column(_("Type"), _field("kind")),
            Column(_("Subject"), _field("subject")),
            Column(_("Status"), _field("status")),
            Column(_("Priority"), _field("priority")),
            Column(_("Due"), _field("due_at")),
            Column(_("Ends"), _field("ends_at")),
            Column(_("All day"), _field("all_day")),
            Column(_("Assigned to"), _related("assignee", "email")),
            Column(_("Company"), _related("company", "name")),
            Column(_("Contact"), _related("contact", "full_name")),
            Column(_("Lead"), _related("lead", "full_name")),
            Column(_("Deal"), _related("deal", "name")),
            Column(_("Completed"), _field("completed_at")),
            _CREATED,
        ),
    ),
}


# Lists other modules declare exportable (``list_sources.list_source``), registered from their
# AppConfig.ready() so this app never imports them.
_REGISTERED: dict[str, ListSource] = {}


def register_list_source(source: ListSource) -> None:
    if source.entity in SOURCES:
        raise ValueError(f"a list export for {source.entity!r} is registered already")
    _REGISTERED[source.entity] = source


def source_of(entity: str) -> ListSource | None:
    """The export of the list ``entity`` (its list key), if it has one."""
    return SOURCES.get(entity) or _REGISTERED.get(entity)
