"""The tenant's audit log (settings): what was done, by whom — support impersonations included."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from identity.decorators import permission_required
from identity.models import AuditEntry

PAGE_SIZE = 50


@permission_required("settings.manage_tenant")
def audit_log(request: HttpRequest) -> HttpResponse:
    actions = list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
    action = request.GET.get("action", "")
    entries = AuditEntry.objects.all()
    if action in actions:
        entries = entries.filter(action=action)
    else:
        action = ""
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "identity/settings/audit_log.html",
        {
            "page": page,
            "actions": actions,
            "action": action,
            "filters": urlencode({"action": action}) if action else "",
        },
    )
