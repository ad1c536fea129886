"""Settings → Data retention (``settings.manage_tenant``): how long each kind of record is kept."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.privacy.forms import RetentionForm
from modules.privacy.models import RetentionRule
from modules.privacy.services import available_targets, save_rules


@permission_required("settings.manage_tenant")
def retention_settings(request: HttpRequest) -> HttpResponse:
    tenant = getattr(request, "tenant", None)
    targets = available_targets(tenant)
    rules = {rule.target: rule for rule in RetentionRule.objects.all()}
    initial = {key: rule.months for key, rule in rules.items()}
    form = RetentionForm(request.POST if request.method == "POST" else None, initial=initial, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            save_rules(tenant, form.periods(), by=signed_in_user(request))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The retention periods are saved."))
            return redirect("privacy:retention")
    rows = [(form[target.key], rules.get(target.key)) for target in targets]
    return render(request, "privacy/retention.html", {"form": form, "rows": rows}, status=form_status(form))
