"""The module's start page: the analyses this user may open."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from identity.decorators import signed_in_user
from modules.analytics.catalogue import available
from modules.analytics.views import analytics_page


@require_safe
@analytics_page()
def index(request: HttpRequest) -> HttpResponse:
    analyses = available(getattr(request, "tenant", None), signed_in_user(request))
    return render(request, "analytics/index.html", {"analyses": analyses})
