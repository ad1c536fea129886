"""Settings → SLAs → Policies: list (in the order they are tried), create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import permission_required
from identity.forms import apply_service_errors, form_status
from modules.service.sla.forms import PolicyForm
from modules.service.sla.models import SlaPolicy
from modules.service.sla.services.policies import delete_policy, save_policy
from modules.service.sla.views.calendars import PERMISSION


@permission_required(PERMISSION)
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = SlaPolicy.objects.prefetch_related("targets").order_by("position", "id")
    return render(request, "service/sla/policy_list.html", {"policies": policies})


@permission_required(PERMISSION)
def policy_create(request: HttpRequest) -> HttpResponse:
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = save_policy(None, by=request.user, **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Policy %(name)s is created.") % {"name": policy.name})
            return redirect("sla-admin:policies")
    return render(request, "service/sla/policy_form.html", {"form": form, "policy": None}, status=form_status(form))


@permission_required(PERMISSION)
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy.objects.prefetch_related("targets"), pk=pk)
    form = PolicyForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            save_policy(policy, by=request.user, **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Policy %(name)s is saved.") % {"name": policy.name})
            return redirect("sla-admin:policies")
    return render(request, "service/sla/policy_form.html", {"form": form, "policy": policy}, status=form_status(form))


@permission_required(PERMISSION)
@require_POST
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk)
    delete_policy(policy, by=request.user)
    messages.success(request, _("Policy %(name)s is deleted.") % {"name": policy.name})
    return redirect("sla-admin:policies")
