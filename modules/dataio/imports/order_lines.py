"""Order files with lines: one row per line, the order's number repeated. The rows of one number
become one order — its header from the rows' header cells, a line from each row's line cells —
and the order is imported whole or not at all: a refused row refuses every row of its order, each
told which rows were wrong.

A number's rows are grouped within a batch wherever they stand; a run keeps consecutive rows of
one number in the same batch (``batches``), so a file whose orders' rows come together imports
each order once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from modules.dataio.imports.targets import LINE, Target
from modules.sales.models import Product

Errors = dict[str, list[str]]
Row = tuple[int, list[str]]
PRODUCT = "line_product"


def _same(first: str, second: str) -> bool:
    return " ".join(first.split()).lower() == " ".join(second.split()).lower()


def products_named(texts: Iterable[str]) -> dict[str, list[Product]]:
    """Active products by lower-cased SKU, else by lower-cased name (a SKU wins over a name)."""
    wanted = {text.strip().lower() for text in texts if text.strip()}
    if not wanted:
        return {}
    found: dict[str, list[Product]] = defaultdict(list)
    by_name: dict[str, list[Product]] = defaultdict(list)
    queryset = Product.objects.filter(is_active=True).annotate(_sku=Lower("sku"), _name=Lower("name"))
    for product in queryset.filter(Q(_sku__in=wanted) | Q(_name__in=wanted)).order_by("pk"):
        if product._sku in wanted:  # type: ignore[attr-defined]
            found[product._sku].append(product)  # type: ignore[attr-defined]
        if product._name in wanted:  # type: ignore[attr-defined]
            by_name[product._name].append(product)  # type: ignore[attr-defined]
    for name, products in by_name.items():
        found.setdefault(name, products)
    return found


@dataclass
class OrderGroups:
    """A batch's rows as orders: the first row of each number leads (its cells carry the header),
    ``lines`` the line values of every row of the order, ``members`` all its rows in file order."""

    leads: list[Row] = field(default_factory=list)
    lead_texts: list[dict[str, str]] = field(default_factory=list)
    members: dict[int, list[int]] = field(default_factory=dict)
    lines: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    errors: dict[int, Errors] = field(default_factory=dict)

    def spread(self, errors: dict[int, Errors], skipped: set[int]) -> None:
        """All or nothing per order: a skipped order skips all its rows; a refused row refuses the
        others of its order, each saying which rows were wrong."""
        for lead, numbers in self.members.items():
            if lead in skipped:
                skipped.update(numbers)
                continue
            wrong = [number for number in numbers if number in errors]
            if not wrong:
                continue
            message = ngettext(
                "Not imported: row %(rows)s of this order has errors.",
                "Not imported: rows %(rows)s of this order have errors.",
                len(wrong),
            ) % {"rows": ", ".join(map(str, wrong))}
            for number in numbers:
                errors.setdefault(number, {"__all__": [message]})


def group_orders(rows: list[Row], texts: list[dict[str, str]], targets: dict[str, Target]) -> OrderGroups:
    """Group ``rows`` (with their mapped ``texts``) by order number; products looked up at once."""
    products = products_named(text[PRODUCT] for text in texts if text.get(PRODUCT))
    groups = OrderGroups()
    lead_of: dict[str, int] = {}
    header_of: dict[int, dict[str, str]] = {}
    origin: dict[int, dict[str, int]] = {}
    for (number, cells), text in zip(rows, texts, strict=True):
        key = " ".join(text.get("number", "").split()).lower()
        header = {name: value for name, value in text.items() if targets[name].kind != LINE}
        line = {name.removeprefix("line_"): value for name, value in text.items() if targets[name].kind == LINE}
        lead = lead_of.get(key) if key else None
        if lead is None:
            lead = number
            if key:
                lead_of[key] = number
            groups.leads.append((number, cells))
            header_of[number] = header
            origin[number] = dict.fromkeys(header, number)
            groups.members[number] = [number]
            groups.lines[number] = []
        else:
            groups.members[lead].append(number)
            row_errors = _merge_header(header_of[lead], origin[lead], header, number)
            if row_errors:
                groups.errors[number] = row_errors
        if line:
            line_errors = _with_product(line, products)
            if line_errors:
                groups.errors[number] = {**groups.errors.get(number, {}), **line_errors}
            else:  # the other lines are still checked, so every wrong row is named at once
                groups.lines[lead].append({"row": number, **line})
    groups.lead_texts = [header_of[number] for number, _cells in groups.leads]
    return groups


def _merge_header(header: dict[str, str], origin: dict[str, int], row: dict[str, str], number: int) -> Errors:
    """Take a later row's header cells into its order's: an empty cell says nothing, a new one fills
    in, another value is an error on that cell."""
    errors: Errors = {}
    for name, value in row.items():
        if name not in header:
            header[name], origin[name] = value, number
        elif not _same(header[name], value):
            errors[name] = [
                _("Row %(row)d gives “%(value)s” for this order.") % {"row": origin[name], "value": header[name]}
            ]
    return errors


def _with_product(line: dict[str, Any], products: dict[str, list[Product]]) -> Errors:
    """Put the product a line names in place of its text (an error on the cell when none or several)."""
    text = line.get("product")
    if not text:
        return {}
    found = products.get(text.strip().lower(), [])
    if len(found) == 1:
        line["product"] = found[0]
        return {}
    del line["product"]
    if not found:
        return {PRODUCT: [_("No active product has the SKU or name “%(value)s”.") % {"value": text}]}
    count = len(found)
    return {
        PRODUCT: [
            ngettext("%(count)d product is called “%(value)s”.", "%(count)d products are called “%(value)s”.", count)
            % {"count": count, "value": text}
        ]
    }


def batches(rows: Iterator[Row], size: int, number_column: int | None) -> Iterator[list[Row]]:
    """``rows`` in batches of ``size``, each grown past ``size`` while the next row carries the
    same order number as its last (``number_column``: where numbers are; None: plain batches)."""
    batch: list[Row] = []
    for row in rows:
        if len(batch) >= size and (
            number_column is None or _number(row, number_column) != _number(batch[-1], number_column)
        ):
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def _number(row: Row, column: int) -> str:
    cells = row[1]
    return " ".join(cells[column].split()).lower() if column < len(cells) else ""
