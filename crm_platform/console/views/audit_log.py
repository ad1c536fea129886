"""The console's audit log: what operators (and the system) did, from the public schema."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from crm_platform.console.access import operator_required
from identity.forms import form_status
from identity.models import AuditEntry

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    target = forms.CharField(label=_("On"), required=False, max_length=200, help_text=_("e.g. tenant:acme"))
    action = forms.CharField(label=_("Action"), required=False, max_length=64, help_text=_("e.g. tenant.suspend"))


@operator_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.all()
    if form.is_valid():
        if target := form.cleaned_data["target"].strip():
            entries = entries.filter(target__icontains=target)
        if action := form.cleaned_data["action"].strip():
            entries = entries.filter(action__startswith=action)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    status = form_status(form)
    return render(
        request,
        "console/audit_log.html",
        {"form": form, "page": page, "filters": filters.urlencode()},
        status=status,
    )
