"""Settings → Service → Assignment rules: the ordered list, create, edit, move, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.service.desk.forms import AssignmentRuleForm
from modules.service.desk.models import AssignmentRule
from modules.service.desk.services import assignment
from modules.service.desk.views import ADMIN, desk_page


def _cleaned(form: AssignmentRuleForm) -> dict[str, object]:
    return {
        **form.cleaned_data,
        "channel": form.cleaned_data["channel"] or "",
        "priority": form.cleaned_data["priority"] or "",
    }


@desk_page(ADMIN)
def rule_list(request: HttpRequest) -> HttpResponse:
    form = AssignmentRuleForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            rule = assignment.create_rule(by=signed_in_user(request), **_cleaned(form))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Rule %(name)s is added.") % {"name": rule.name})
            return redirect("service-desk-admin:rules")
    rules = list(AssignmentRule.objects.select_related("category", "team", "queue", "agent"))
    return render(request, "service_desk/settings/rules.html", {"rules": rules, "form": form}, status=form_status(form))


@desk_page(ADMIN)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk)
    form = AssignmentRuleForm(request.POST or None, initial=AssignmentRuleForm.initial_of(rule))
    if request.method == "POST" and form.is_valid():
        try:
            assignment.update_rule(rule, by=signed_in_user(request), **_cleaned(form))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Rule %(name)s is saved.") % {"name": rule.name})
            return redirect("service-desk-admin:rules")
    return render(
        request, "service_desk/settings/rule_edit.html", {"rule": rule, "form": form}, status=form_status(form)
    )


@desk_page(ADMIN)
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk)
    order = list(AssignmentRule.objects.order_by("position", "id").values_list("pk", flat=True))
    index = order.index(rule.pk)
    other = {"up": index - 1, "down": index + 1}.get(request.POST.get("direction", ""), index)
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        assignment.reorder_rules(order=order, by=signed_in_user(request))
    return redirect("service-desk-admin:rules")


@desk_page(ADMIN)
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk)
    assignment.delete_rule(rule, by=signed_in_user(request))
    messages.success(request, _("Rule %(name)s is deleted.") % {"name": rule.name})
    return redirect("service-desk-admin:rules")
