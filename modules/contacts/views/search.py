"""The global search: the navbar box (htmx fragment as you type), the full results page (every kind
the user may see, each with its count) and one kind's results page by page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from modules.contacts.selectors.search import (
    SearchKind,
    global_search,
    matching,
    normalized,
    searchable_kinds,
    similarity_threshold,
)
from modules.contacts.views.common import contacts_view, current_user, sales_visible
from modules.registry import is_enabled

PAGE_SIZE = 25


# Companies and contacts need ``contacts.view`` (the guard); every other kind is checked below.
@contacts_view("contacts.view")
def search(request: HttpRequest) -> HttpResponse:
    q = normalized(request.GET.get("q", "").strip())
    user = current_user(request)
    kinds = searchable_kinds(
        include_sales=sales_visible(request),
        include_activities=is_enabled(getattr(request, "tenant", None), "activities")
        and request.user.has_perm("activities.view"),
    )
    kind_key = request.GET.get("kind", "")
    if kind_key:
        kind = next((kind for kind in kinds if kind.key == kind_key), None)
        if kind is None:
            # An unknown kind and one the user may not search answer alike.
            raise Http404
        return _one_kind(request, q, kind)
    fragment = request.GET.get("format") == "fragment"
    groups = (
        global_search(
            user,
            q,
            include_sales=any(kind.key == "deals" for kind in kinds),
            include_activities=any(kind.key == "activities" for kind in kinds),
            counted=not fragment,
        )
        if q
        else []
    )
    context = {"q": q, "groups": groups, "found": any(group.rows for group in groups), "full": not fragment}
    if fragment:
        return render(request, "contacts/includes/search_results.html", context)
    return render(request, "contacts/search.html", context)


def _one_kind(request: HttpRequest, q: str, kind: SearchKind) -> HttpResponse:
    page = None
    if q:
        with similarity_threshold():
            page = Paginator(matching(kind, q, current_user(request)), PAGE_SIZE).get_page(request.GET.get("page"))
            page.object_list = list(page.object_list)
    return render(request, "contacts/search_kind.html", {"q": q, "kind": kind.key, "page": page})
