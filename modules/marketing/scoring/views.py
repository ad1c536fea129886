"""Marketing → Lead scoring: the rules, the thresholds, "Recalculate all" (marketing.admin), and
the score card on the contact and lead pages (marketing.view and the record's visibility)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.marketing.guard import marketing_page
from modules.marketing.scoring.forms import RuleForm, ThresholdForm
from modules.marketing.scoring.models import ScoreThreshold, ScoringRule
from modules.marketing.scoring.selectors import breakdown, visible_record
from modules.marketing.scoring.services.rules import (
    create_threshold,
    delete_rule,
    delete_threshold,
    save_rule,
    start_recalculation,
)

ADMIN = "marketing.admin"


def _page(request: HttpRequest, form: RuleForm, threshold_form: ThresholdForm, *, status: int = 200) -> HttpResponse:
    context = {
        "rules": ScoringRule.objects.order_by("kind", "name", "id"),
        "thresholds": ScoreThreshold.objects.order_by("points", "id"),
        "form": form,
        "threshold_form": threshold_form,
    }
    return render(request, "marketing/scoring/rules.html", context, status=status)


@marketing_page("marketing.view", ADMIN)
def rule_list(request: HttpRequest) -> HttpResponse:
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = save_rule(None, form.service_values(), by=signed_in_user(request))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Rule %(name)s is created.") % {"name": rule.name})
            return redirect("marketing-scoring:rules")
    return _page(request, form, ThresholdForm(), status=form_status(form))


@marketing_page("marketing.view", ADMIN)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ScoringRule, pk=pk)
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            save_rule(rule, form.service_values(), by=signed_in_user(request))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Rule %(name)s is saved.") % {"name": rule.name})
            return redirect("marketing-scoring:rules")
    return render(request, "marketing/scoring/rule_form.html", {"rule": rule, "form": form}, status=form_status(form))


@require_POST
@marketing_page("marketing.view", ADMIN)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ScoringRule, pk=pk)
    delete_rule(rule, by=signed_in_user(request))
    messages.success(request, _("Rule %(name)s is deleted.") % {"name": rule.name})
    return redirect("marketing-scoring:rules")


@require_POST
@marketing_page("marketing.view", ADMIN)
def threshold_create(request: HttpRequest) -> HttpResponse:
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            create_threshold(**form.cleaned_data, by=signed_in_user(request))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("marketing-scoring:rules")
    return _page(request, RuleForm(), form, status=400)


@require_POST
@marketing_page("marketing.view", ADMIN)
def threshold_delete(request: HttpRequest, pk: int) -> HttpResponse:
    delete_threshold(get_object_or_404(ScoreThreshold, pk=pk), by=signed_in_user(request))
    return redirect("marketing-scoring:rules")


@require_POST
@marketing_page("marketing.view", ADMIN)
def recalculate(request: HttpRequest) -> HttpResponse:
    start_recalculation(by=signed_in_user(request))
    messages.success(request, _("Every score is being computed again; the lists follow within minutes."))
    return redirect("marketing-scoring:rules")


@marketing_page("marketing.view")
def score_card(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    record = visible_record(signed_in_user(request), subject, pk)
    if record is None:
        raise Http404
    return render(request, "marketing/scoring/card.html", {"subject": subject, **breakdown(subject, record)})
