"""Attribution in one SQL query: which campaigns influenced which deals, each campaign's share of
every deal under three models, and per campaign the influenced pipeline, the won revenue and the
ROI, in the tenant's base currency.

A deal is influenced by the touches on itself, and by the touches before its creation on its
contact, on any contact of its company and on the lead it came from. Its amount goes to:
- first touch: the campaign of its earliest influencing touch, in full;
- last touch: the campaign of its latest influencing touch, in full;
- linear (multi-touch): every campaign that touched it, in equal shares.
Influenced pipeline counts the deals still open and those won; won revenue those won. Amounts are
converted with the latest exchange rate dated on or before the deal's creation (a campaign's cost
on or before its start date, else today); a deal without a rate is counted in ``unconverted`` and
left out of the sums. ROI = (won revenue − cost) / cost, none without a cost; the report shows
beside it the revenue per cost (won revenue / cost = ROI + 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from modules.contacts.models import Contact, ExchangeRate
from modules.contacts.services.money import base_currency
from modules.marketing.attribution.choices import AttributionModel
from modules.marketing.attribution.models import Touch
from modules.marketing.models import Campaign
from modules.sales.choices import DealStatus
from modules.sales.models import Deal

MODELS = tuple(AttributionModel.values)
FORMULA = "ROI = (won revenue − cost) / cost"


@dataclass(frozen=True)
class ModelFigures:
    pipeline: Decimal
    won: Decimal
    roi: Decimal | None  # a ratio: 1.5 is +150 %

    @property
    def roi_percent(self) -> Decimal | None:
        return None if self.roi is None else (self.roi * 100).quantize(Decimal("0.1"))

    @property
    def revenue_per_cost(self) -> Decimal | None:
        """Won revenue ÷ cost (3 means the campaign brought three times what it cost): ROI + 1."""
        return None if self.roi is None else (self.roi + 1).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class CampaignFigures:
    campaign_id: int
    name: str
    deals: int  # influenced deals
    won_deals: int
    unconverted: int  # influenced deals left out of the sums (no exchange rate)
    cost: Decimal | None  # actual cost in base currency (None: no rate)
    by_model: dict[str, ModelFigures]


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rate(currency: str, on: str) -> str:
    """SQL: the rate of ``currency`` (a qualified column: unqualified, it would name the rate's
    own) on ``on`` (a date expression), 1 for the base currency."""
    return (
        f"CASE WHEN {currency} = %(base)s THEN 1 ELSE (SELECT r.rate FROM {_table(ExchangeRate)} r "  # noqa: S608 (model tables)
        f"WHERE r.currency = {currency} AND r.valid_from <= {on} ORDER BY r.valid_from DESC LIMIT 1) END"
    )


def _sql(campaign_filter: str, deal_filter: str) -> str:
    deal, touch, contact, campaign = _table(Deal), _table(Touch), _table(Contact), _table(Campaign)
    weights = ", ".join(
        f"SUM(d.amount * c.{model}_w) FILTER (WHERE d.status <> %(lost)s) AS {model}_pipeline, "
        f"SUM(d.amount * c.{model}_w) FILTER (WHERE d.status = %(won)s) AS {model}_won"
        for model in MODELS
    )
    figures = ", ".join(
        f"COALESCE(a.{model}_pipeline, 0), COALESCE(a.{model}_won, 0), "
        f"(COALESCE(a.{model}_won, 0) - cp.cost) / NULLIF(cp.cost, 0)"
        for model in MODELS
    )
    return f"""
WITH scoped AS (
    SELECT dl.id, dl.contact_id, dl.company_id, dl.lead_id, dl.created_at, dl.status,
           COALESCE(dl.amount, 0) * ({_rate("dl.currency", "dl.created_at::date")}) AS amount
      FROM {deal} dl WHERE TRUE {deal_filter}
), influence AS (
    SELECT d.id AS deal_id, t.id AS touch_id, t.campaign_id, t.occurred_at
      FROM scoped d JOIN {touch} t ON t.deal_id = d.id
    UNION
    SELECT d.id, t.id, t.campaign_id, t.occurred_at
      FROM scoped d JOIN {touch} t ON t.contact_id = d.contact_id AND t.occurred_at <= d.created_at
    UNION
    SELECT d.id, t.id, t.campaign_id, t.occurred_at
      FROM scoped d JOIN {contact} k ON k.company_id = d.company_id
      JOIN {touch} t ON t.contact_id = k.id AND t.occurred_at <= d.created_at
    UNION
    SELECT d.id, t.id, t.campaign_id, t.occurred_at
      FROM scoped d JOIN {touch} t ON t.lead_id = d.lead_id AND t.occurred_at <= d.created_at
), ranked AS (
    SELECT deal_id, campaign_id,
           ROW_NUMBER() OVER (PARTITION BY deal_id ORDER BY occurred_at, touch_id) AS first_rank,
           ROW_NUMBER() OVER (PARTITION BY deal_id ORDER BY occurred_at DESC, touch_id DESC) AS last_rank
      FROM influence
), credit AS (
    SELECT deal_id, campaign_id,
           MAX(CASE WHEN first_rank = 1 THEN 1 ELSE 0 END)::numeric AS first_w,
           MAX(CASE WHEN last_rank = 1 THEN 1 ELSE 0 END)::numeric AS last_w,
           1::numeric / COUNT(*) OVER (PARTITION BY deal_id) AS linear_w
      FROM ranked GROUP BY deal_id, campaign_id
), attributed AS (
    SELECT c.campaign_id, COUNT(*) AS deals, COUNT(*) FILTER (WHERE d.status = %(won)s) AS won_deals,
           COUNT(*) FILTER (WHERE d.amount IS NULL) AS unconverted, {weights}
      FROM credit c JOIN scoped d ON d.id = c.deal_id
     GROUP BY c.campaign_id
), costs AS (
    SELECT cm.id, cm.name, cm.actual_cost * ({_rate("cm.currency", "COALESCE(cm.start_date, %(today)s)")}) AS cost
      FROM {campaign} cm WHERE cm.id IN ({campaign_filter})
)
SELECT cp.id, cp.name, COALESCE(a.deals, 0), COALESCE(a.won_deals, 0), COALESCE(a.unconverted, 0), cp.cost,
       {figures}
  FROM costs cp LEFT JOIN attributed a ON a.campaign_id = cp.id
 ORDER BY cp.name, cp.id
"""  # noqa: S608 (the models' own tables; values go as parameters)


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _ratio(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.0001"))


def attribution(
    campaigns: QuerySet[Campaign], *, start: datetime | None = None, end: datetime | None = None
) -> list[CampaignFigures]:
    """The figures of ``campaigns`` (a queryset: its SQL is the query's filter) over the deals
    created in [``start``, ``end``) (all deals without bounds), ordered by name."""
    ids_sql, ids_params = campaigns.order_by().values("pk").query.sql_with_params()
    params: dict[str, Any] = {
        "base": base_currency(), "won": DealStatus.WON, "lost": DealStatus.LOST, "today": timezone.localdate(),
    }  # fmt: skip
    deal_filter = ""
    if start is not None:
        deal_filter += " AND dl.created_at >= %(start)s"
        params["start"] = start
    if end is not None:
        deal_filter += " AND dl.created_at < %(end)s"
        params["end"] = end
    # The campaigns' own query uses positional placeholders: name them for the dict parameters.
    for index, value in enumerate(ids_params):
        params[f"campaign_{index}"] = value
    named = ids_sql.replace("%%", "\0")
    for index in range(len(ids_params)):
        named = named.replace("%s", f"%(campaign_{index})s", 1)
    with connection.cursor() as cursor:
        cursor.execute(_sql(named.replace("\0", "%%"), deal_filter), params)
        rows = cursor.fetchall()
    result = []
    for row in rows:
        cost = None if row[5] is None else _money(row[5])
        by_model = {
            model: ModelFigures(
                pipeline=_money(row[6 + 3 * index]), won=_money(row[7 + 3 * index]), roi=_ratio(row[8 + 3 * index])
            )
            for index, model in enumerate(MODELS)
        }
        result.append(
            CampaignFigures(
                campaign_id=row[0], name=row[1], deals=row[2], won_deals=row[3], unconverted=row[4], cost=cost,
                by_model=by_model,
            )
        )  # fmt: skip
    return result


def campaign_results(campaign: Campaign) -> CampaignFigures | None:
    figures = attribution(Campaign.objects.filter(pk=campaign.pk))
    return figures[0] if figures else None
