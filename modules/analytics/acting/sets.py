"""The records of an analysis result, as one request names them, for the user asking.

A selection is named by query parameters, the same on the pages and the APIs:

* ``cell=<token>`` — a report's group, as its link carries it (``reports.cells``); the APIs may name
  it instead as ``report=<id>`` and ``keys`` (with the run's narrowing ``date_field``/``from``/``to``
  /``owner``);
* ``set=churn&period=<months>`` — the customers at risk;
* ``set=rfm&segment=<key>&period=<months>`` — one RFM segment;
* ``set=cohort&cohort=<YYYY-MM>`` — the customers whose first order fell in that month.

Customers are companies or contacts, so a customer set holds records of two types; a workflow runs
on one type, and the page asks which. Every set is worked out with the user's visibility, so only
records they may see are included; a parameter that cannot be read is a ``ValidationError`` naming
it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.customer_value.cohorts import cohort_customers
from modules.analytics.customer_value.customers import COMPANY, CONTACT
from modules.analytics.customer_value.rfm import PERIODS, SEGMENTS_BY_KEY, customer_scores
from modules.analytics.customer_value.selectors import customers_at_risk
from modules.analytics.reports.cells import CELL_PARAM, CellRef, read_cell_token, resolve_cell
from modules.analytics.reports.running import prepared
from modules.analytics.reports.selectors import access_for, reports_for
from modules.record_access import RecordAccess
from modules.registry import is_enabled

CUSTOMER_SETS = ("churn", "rfm", "cohort")
# One more than the workflows take at once, so an oversized selection is told apart from a full one.
READ_LIMIT = 5_001


@dataclass
class RecordSet:
    """The records of a selection by record type (ids, in order), what it is called, and the
    parameters that name it again."""

    label: str
    ids: dict[str, list[int]] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    # Whether the set reads orders (customer analyses): sales must be in the plan and viewable.
    needs_sales: bool = False

    def entities(self) -> list[str]:
        return [entity for entity, ids in self.ids.items() if ids]


def _period(params: Mapping[str, Any]) -> int:
    raw = str(params.get("period", "12"))
    if not raw.isdigit() or int(raw) not in PERIODS:
        raise ValidationError({"period": [_("Choose one of the offered periods.")]})
    return int(raw)


def _customers(pairs: list[tuple[str, int]]) -> dict[str, list[int]]:
    return {
        COMPANY: [pk for kind, pk in pairs if kind == COMPANY][:READ_LIMIT],
        CONTACT: [pk for kind, pk in pairs if kind == CONTACT][:READ_LIMIT],
    }


def _customer_set(kind: str, params: Mapping[str, Any], user: User) -> RecordSet:
    if not is_enabled(getattr(connection, "tenant", None), "sales") or not user.has_perm("sales.view"):
        raise ValidationError({"set": [_("Customer analyses need the sales module and its view permission.")]})
    today = timezone.localdate()
    if kind == "churn":
        months = _period(params)
        rows = customers_at_risk(user, today=today, months=months)
        return RecordSet(
            _("Customers at risk"), _customers([(row.kind, row.customer_id) for row in rows]),
            {"set": kind, "period": str(months)}, needs_sales=True,
        )  # fmt: skip
    if kind == "rfm":
        months = _period(params)
        segment = SEGMENTS_BY_KEY.get(str(params.get("segment", "")))
        if segment is None:
            raise ValidationError({"segment": [_("Choose one of the RFM segments.")]})
        scores = customer_scores(user, today=today, months=months, segment=segment.key, limit=READ_LIMIT * 2)
        return RecordSet(
            _("RFM segment %(segment)s") % {"segment": segment.label},
            _customers([(score.kind, score.customer_id) for score in scores]),
            {"set": kind, "segment": segment.key, "period": str(months)}, needs_sales=True,
        )  # fmt: skip
    raw = str(params.get("cohort", ""))
    try:
        month = date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise ValidationError({"cohort": [_("Give the cohort's month as YYYY-MM.")]}) from None
    return RecordSet(
        _("Customers first ordering in %(month)s") % {"month": raw},
        _customers(cohort_customers(user, today=today, month=month)),
        {"set": kind, "cohort": raw}, needs_sales=True,
    )  # fmt: skip


def _cell_set(ref: CellRef, user: User, access: RecordAccess | None, params: dict[str, str]) -> RecordSet:
    source, records = resolve_cell(ref, user, access)
    if source.entity is None or source.entity not in ENTITY_OF_SOURCE.values():
        raise ValidationError({"cell": [_("Workflows do not run on %(records)s.") % {"records": source.label}]})
    ids = list(records.order_by("pk").values_list("pk", flat=True)[:READ_LIMIT])
    label = _("Report group %(group)s") % {"group": ref.label} if ref.label else _("Report group")
    return RecordSet(label, {source.entity: ids}, params)


# The report sources whose records workflows run on (order lines are no workflow record).
ENTITY_OF_SOURCE = {
    "companies": "company", "contacts": "contact", "leads": "lead", "deals": "deal", "orders": "order",
    "activities": "activity",
}  # fmt: skip


def _keys(raw: Any) -> tuple[Any, ...]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if not isinstance(raw, list) or len(raw) > 2:
        raise ValidationError({"keys": [_("Give the group's keys as a list, one per grouping.")]})
    return tuple(raw)


def record_set(params: Mapping[str, Any], user: User, access: RecordAccess | None = None) -> RecordSet:
    """The selection ``params`` name, for ``user`` (and the API credential's ``access``)."""
    if params.get(CELL_PARAM):
        token = str(params[CELL_PARAM])
        return _cell_set(read_cell_token(token), user, access, {CELL_PARAM: token})
    if params.get("report") not in (None, ""):
        raw = str(params["report"])
        report = reports_for(user).filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
        if report is None:
            raise ValidationError({"report": [_("Choose a report you may open.")]})
        run_params = {key: params[key] for key in ("date_field", "from", "to", "owner") if params.get(key)}
        source, spec = prepared(report, access or access_for(user), run_params)
        ref = CellRef(source=source.key, definition=spec.selection, keys=_keys(params.get("keys")), label=report.name)
        return _cell_set(ref, user, access, {"report": raw})
    kind = str(params.get("set", ""))
    if kind not in CUSTOMER_SETS:
        raise ValidationError(
            {"set": [_("Name a report group or one of: %(sets)s.") % {"sets": ", ".join(CUSTOMER_SETS)}]}
        )
    return _customer_set(kind, params, user)
