"""The global search: the navbar box (htmx fragment as you type) and the full results page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from modules.contacts.selectors.search import global_search
from modules.contacts.views.common import contacts_view, current_user, sales_visible
from modules.registry import is_enabled


# Companies and contacts need ``contacts.view`` (the guard); every other kind is checked below.
@contacts_view("contacts.view")
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    groups = (
        global_search(
            current_user(request),
            q,
            include_sales=sales_visible(request),
            include_activities=is_enabled(getattr(request, "tenant", None), "activities")
            and request.user.has_perm("activities.view"),
        )
        if q
        else []
    )
    context = {"q": q, "groups": groups, "found": any(group.rows for group in groups)}
    if request.GET.get("format") == "fragment":
        return render(request, "contacts/includes/search_results.html", context)
    return render(request, "contacts/search.html", context)
