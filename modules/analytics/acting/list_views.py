"""The page that saves an analysis's customers as a list of contacts another module keeps (an RFM
segment, the customers at risk, a cohort, a report group of companies or contacts → a static
marketing segment): the count and a name, then one POST."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from identity.decorators import signed_in_user
from modules.analytics.acting.contact_lists import (
    check_selection,
    contacts_of,
    default_name,
    save_selection,
    target_named,
)
from modules.analytics.acting.sets import record_set
from modules.analytics.acting.views import _posted_int, _problem
from modules.analytics.customer_value.customers import COMPANY, CONTACT
from modules.analytics.views import analytics_page
from modules.plan_gate import ensure_in_plan


@require_http_methods(["GET", "HEAD", "POST"])
@analytics_page()
def save_as_list(request: HttpRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    target = target_named(key)
    if target is None:
        raise Http404
    for module in target.needs:
        ensure_in_plan(getattr(request, "tenant", None), module)
    if not user.has_perm(target.permission):
        raise PermissionDenied
    try:
        selection = record_set(request.GET, user)
        check_selection(selection)
    except ValidationError as error:
        return _problem(error)
    count = contacts_of(selection, user).count()
    name = default_name(selection)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        name = " ".join(request.POST.get("name", "").split())
        try:
            saved, count = save_selection(
                target, selection, user, name=name, expected_count=_posted_int(request, "expected_count")
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(
                request, _("%(name)s was created with %(count)s contacts.") % {"name": name, "count": count}
            )
            return redirect(saved.url)
    context = {
        "selection": selection,
        "target": target,
        "count": count,
        "companies": len(selection.ids.get(COMPANY, [])),
        "customer_contacts": len(selection.ids.get(CONTACT, [])),
        "name": name,
        "errors": errors,
        "query": request.GET.urlencode(),
    }
    return render(request, "analytics/acting/contact_list.html", context, status=400 if errors else 200)
