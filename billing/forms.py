"""Forms of Settings → Plan and usage. They check the input's shape and that the chosen plan has a
price in the subscription's currency; the billing provider owns the change itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.choices import Interval
from billing.models import Plan, PlanPrice, Subscription
from billing.money import format_money


def offered_plans() -> list[Plan]:
    """The plans a tenant may move to: public and open to new subscriptions."""
    return list(Plan.objects.filter(is_public=True, is_active=True).order_by("sort_order", "id"))


def price_label(price: PlanPrice) -> str:
    amount = format_money(price.seat_amount, price.currency)
    if price.interval == Interval.YEAR:
        return _("%(amount)s per seat a year") % {"amount": amount}
    return _("%(amount)s per seat a month") % {"amount": amount}


class ChangePlanForm(forms.Form):
    """A plan offered to the public, and the interval to pay for it in, in the subscription's currency."""

    plan = forms.ChoiceField(label=gettext_lazy("Plan"), widget=forms.RadioSelect)
    interval = forms.ChoiceField(label=gettext_lazy("Billed"), choices=Interval.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, subscription: Subscription, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"plan": subscription.plan.key, "interval": subscription.interval})
        super().__init__(*args, **kwargs)
        self.subscription = subscription
        self.plans = {plan.key: plan for plan in offered_plans()}
        self.prices: dict[tuple[int, str], PlanPrice] = {
            (price.plan_id, price.interval): price
            for price in PlanPrice.objects.filter(plan__in=self.plans.values(), currency=subscription.currency)
        }
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ChoiceField)  # noqa: S101 (declared above)
        plan_field.choices = [(key, self.plan_label(plan)) for key, plan in self.plans.items()]

    def plan_label(self, plan: Plan) -> str:
        prices = [
            self.prices[(plan.pk, interval)] for interval in Interval.values if (plan.pk, interval) in self.prices
        ]
        if not prices:
            return plan.name
        return f"{plan.name} — {' / '.join(price_label(price) for price in prices)}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        plan = self.plans.get(cleaned.get("plan", ""))
        interval = cleaned.get("interval")
        if plan is None or interval is None:
            return cleaned
        cleaned["plan"] = plan
        if (plan.pk, interval) not in self.prices:
            self.add_error(
                "interval",
                _("The %(plan)s plan has no %(interval)s price in %(currency)s.")
                % {
                    "plan": plan.name,
                    "interval": Interval(interval).label.lower(),
                    "currency": self.subscription.currency,
                },
            )
        elif plan.pk == self.subscription.plan_id and interval == self.subscription.interval:
            self.add_error("plan", _("This is the plan you have now."))
        return cleaned


class CancelForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("Yes, cancel the subscription at the end of the paid period."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the cancellation.")},
    )
