"""The plans as the public site offers them: modules, limits and the seat price in one currency and
interval, formatted for the visitor's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.choices import Currency, Interval, Provider
from billing.models import Plan, PlanPrice
from billing.money import format_money
from modules.registry import MODULES

DEFAULT_CURRENCY = Currency.EUR
DEFAULT_INTERVAL = Interval.MONTH


def offered_plans() -> QuerySet[Plan]:
    """Plans a visitor can sign up for, in the operator's order."""
    return Plan.objects.filter(is_public=True, is_active=True).order_by("sort_order", "id")


def chosen_currency(value: str | None) -> str:
    return value if value in Currency.values else DEFAULT_CURRENCY


def chosen_interval(value: str | None) -> str:
    return value if value in Interval.values else DEFAULT_INTERVAL


def card_required(plan: Plan, provider: str) -> bool:
    """Whether signing up for ``plan`` goes through the payment page first: only with Stripe, and only
    when the plan's trial asks for a card or there is no trial at all."""
    return provider == Provider.STRIPE and (plan.trial_requires_card or not plan.trial_days)


@dataclass(frozen=True)
class PlanOffer:
    plan: Plan
    # None when the plan has no price in the chosen currency and interval.
    seat_price: str | None
    # For yearly prices: what a seat comes to per month.
    monthly_equivalent: str | None
    modules: list[str]
    limits: list[str]
    card_required: bool


def plan_offers(plans: QuerySet[Plan], *, currency: str, interval: str, provider: str) -> list[PlanOffer]:
    """One offer per plan; prices are read in one query for all plans."""
    prices: dict[int, PlanPrice] = {
        price.plan_id: price for price in PlanPrice.objects.filter(plan__in=plans, currency=currency, interval=interval)
    }
    offers = []
    for plan in plans:
        price = prices.get(plan.pk)
        offers.append(
            PlanOffer(
                plan=plan,
                seat_price=None if price is None else format_money(price.seat_amount, currency),
                monthly_equivalent=(
                    format_money(price.monthly_seat_amount, currency)
                    if price is not None and interval == Interval.YEAR
                    else None
                ),
                modules=module_labels(plan),
                limits=limit_lines(plan),
                card_required=card_required(plan, provider),
            )
        )
    return offers


def module_labels(plan: Plan) -> list[str]:
    """The modules every workspace has, then the plan's own, in the registry's order."""
    chosen = set(plan.modules or ())
    return [str(module.label) for module in MODULES if module.always_on or module.key in chosen]


def limit_lines(plan: Plan) -> list[str]:
    def count(value: int) -> str:
        return formats.number_format(value, use_l10n=True, force_grouping=True)

    lines = []
    if plan.seat_limit is None:
        lines.append(_("Unlimited users"))
    else:
        users = ngettext("Up to %(count)s user", "Up to %(count)s users", plan.seat_limit)
        lines.append(users % {"count": count(plan.seat_limit)})
    if plan.record_limit is None:
        lines.append(_("Unlimited records"))
    else:
        lines.append(
            ngettext("%(count)s record", "%(count)s records", plan.record_limit) % {"count": count(plan.record_limit)}
        )
    if plan.storage_limit_mb is None:
        lines.append(_("Unlimited file storage"))
    else:
        size = filesizeformat(plan.storage_limit_mb * 1024 * 1024)
        lines.append(_("%(size)s of file storage") % {"size": size})
    if plan.api_requests_per_day is None:
        lines.append(_("Unlimited API requests"))
    else:
        lines.append(
            ngettext("%(count)s API request a day", "%(count)s API requests a day", plan.api_requests_per_day)
            % {"count": count(plan.api_requests_per_day)}
        )
    if plan.workflow_runs_per_month is None:
        lines.append(_("Unlimited workflow runs"))
    else:
        lines.append(
            ngettext("%(count)s workflow run a month", "%(count)s workflow runs a month", plan.workflow_runs_per_month)
            % {"count": count(plan.workflow_runs_per_month)}
        )
    if plan.marketing_emails_per_month is not None and "marketing" in plan.modules:
        lines.append(
            ngettext(
                "%(count)s marketing e-mail a month",
                "%(count)s marketing e-mails a month",
                plan.marketing_emails_per_month,
            )
            % {"count": count(plan.marketing_emails_per_month)}
        )
    return lines
