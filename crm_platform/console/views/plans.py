"""The plan editor: the plans with their subscriber counts, a plan's fields, modules, limits and
price grid. Saving goes through ``billing.services.plans`` (atomic, audited, modules applied to
the plan's tenants at once)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.choices import Interval
from billing.models import Plan, PlanPrice
from billing.services.plans import delete_plan, save_plan
from crm_platform.console.access import operator_actor, operator_required
from crm_platform.console.forms_plans import (
    PlanForm,
    amount_text,
    error_summary,
    price_grid_rows,
    read_price_grid,
)
from modules.registry import MODULES_BY_KEY


@operator_required
def plan_list(request: HttpRequest) -> HttpResponse:
    monthly = PlanPrice.objects.filter(interval=Interval.MONTH).order_by("currency")
    plans = list(
        Plan.objects.annotate(subscriber_count=Count("subscriptions"))
        .prefetch_related(Prefetch("prices", queryset=monthly, to_attr="monthly_prices"))
        .order_by("sort_order", "id")
    )
    rows = [
        {
            "plan": plan,
            "modules": [MODULES_BY_KEY[key].label for key in plan.modules if key in MODULES_BY_KEY],
            "monthly": [(price.currency, amount_text(price.seat_amount)) for price in plan.monthly_prices],  # type: ignore[attr-defined]
        }
        for plan in plans
    ]
    return render(request, "console/plans/list.html", {"rows": rows})


def _plan_editor(request: HttpRequest, plan: Plan | None, *, refused: bool = False) -> HttpResponse:
    """The editor; ``refused``: shown again after an action on the plan was refused (400)."""
    sent = request.POST if request.method == "POST" and not refused else None
    form = PlanForm(sent, plan=plan)
    errors: dict[str, list[str]] = {}
    if sent is not None:
        grid, errors = read_price_grid(sent)
        if form.is_valid() and not errors:
            try:
                saved = save_plan(plan, form.plan_data(), grid, actor=operator_actor(request))
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, _("Plan %(name)s is saved.") % {"name": saved.name})
                return redirect("console:plan", saved.pk)
        for field, form_errors in form.errors.items():
            errors.setdefault(field, []).extend(str(message) for message in form_errors)
        for field, messages_of_field in errors.items():
            # Errors the service names after a form field are shown on that field.
            if field in form.fields and field not in form.errors:
                form.add_error(field, messages_of_field)
    subscriber_count = plan.subscriptions.count() if plan is not None else 0
    context = {
        "plan": plan,
        "form": form,
        "errors": errors,
        "error_summary": error_summary(form, errors),
        "grid": price_grid_rows(plan, sent, errors),
        "grid_errors": errors.get("prices", []),
        "subscriber_count": subscriber_count,
    }
    return render(request, "console/plans/form.html", context, status=400 if errors or refused else 200)


@operator_required
def plan_create(request: HttpRequest) -> HttpResponse:
    return _plan_editor(request, None)


@operator_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_editor(request, get_object_or_404(Plan, pk=pk))


@operator_required
@require_POST
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=pk)
    try:
        delete_plan(plan, actor=operator_actor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _plan_editor(request, plan, refused=True)
    messages.success(request, _("The plan is deleted."))
    return redirect("console:plans")
