"""Addresses of pages that moved to another module, redirecting there with their query."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from modules.plan_gate import ensure_in_plan


@require_safe
def team_activity_moved(request: HttpRequest) -> HttpResponse:
    """Team activity is an analysis now: /team-activity/ (bookmarks, old links) goes there, its
    range kept. Without sales in the plan it answers as every sales page does."""
    ensure_in_plan(getattr(request, "tenant", None), "sales")
    query = request.META.get("QUERY_STRING", "")
    target = reverse("analytics:team-activity")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
