"""The page that saves an analysis's customers as a list of contacts another module keeps (an RFM
segment, the customers at risk, a cohort, a report group of companies or contacts → a static
marketing segment): the count and a name, then one POST."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from identity.decorators import signed_in_user
from modules.analytics.acting.contact_lists import contacts_of, target_named
from modules.analytics.acting.sets import READ_LIMIT, RecordSet, record_set
from modules.analytics.acting.views import _posted_int, _problem
from modules.analytics.customer_value.customers import COMPANY, CONTACT
from modules.analytics.views import analytics_page
from modules.plan_gate import ensure_in_plan


def _check(selection: RecordSet) -> None:
    """Only customers, companies and contacts have contacts; a set too large to read whole is refused
    rather than saved in part."""
    named = next(iter(selection.params), "set")
    if set(selection.entities()) - {COMPANY, CONTACT}:
        raise ValidationError({named: [_("Only companies and contacts can be saved as a list of contacts.")]})
    if any(len(selection.ids.get(kind, [])) >= READ_LIMIT for kind in (COMPANY, CONTACT)):
        raise ValidationError({named: [_("The selection holds more than 5,000 records; narrow it first.")]})


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
        _check(selection)
    except ValidationError as error:
        return _problem(error)
    contacts = contacts_of(selection, user)
    count = contacts.count()
    today = formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    name = f"{selection.label} ({today})"
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        name = " ".join(request.POST.get("name", "").split())
        try:
            if _posted_int(request, "expected_count") != count:
                raise ValidationError(
                    {"expected_count": [_("The selection changed meanwhile: it now holds %(count)s contacts.")
                                        % {"count": count}]}
                )  # fmt: skip
            description = _("From analytics: %(selection)s, %(day)s.") % {"selection": selection.label, "day": today}
            url = target.save(name=name, description=description, contacts=contacts, by=user)
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(
                request, _("%(name)s was created with %(count)s contacts.") % {"name": name, "count": count}
            )
            return redirect(url)
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
