"""The timeline fragment every record page embeds (``hx-get`` on load), with "load more" pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from identity.visibility import restrict_to_visible
from modules.contacts.choices import LifecycleStage, Source
from modules.contacts.models import TimelineEntry
from modules.contacts.selectors.lists import visible_companies, visible_contacts
from modules.contacts.selectors.timeline import SUBJECTS, timeline_page
from modules.contacts.views.common import contacts_view, current_user
from modules.plan_gate import ensure_in_plan


def _check_subject(request: HttpRequest, subject: str, pk: int) -> None:
    """404 unless the user may see the record (leads and deals also need sales and ``sales.view``)."""
    user = current_user(request)
    queryset: Any
    if subject == "company":
        queryset = visible_companies(user)
    elif subject == "contact":
        queryset = visible_contacts(user)
    elif subject in ("lead", "deal"):
        ensure_in_plan(getattr(request, "tenant", None), "sales")
        if not user.has_perm("sales.view"):
            raise PermissionDenied(_("Your role does not include “%(permission)s”.") % {"permission": "sales.view"})
        from modules.sales.models import Deal, Lead

        queryset = restrict_to_visible((Lead if subject == "lead" else Deal).objects.all(), user)
    else:
        raise Http404
    get_object_or_404(queryset.only("pk"), pk=pk)


# Choice fields whose stored value is shown by its (translated) label.
CHOICE_LABELS = {"lifecycle_stage": dict(LifecycleStage.choices), "source": dict(Source.choices)}


def _display(value: Any, field: str = "") -> str:
    if field in CHOICE_LABELS and isinstance(value, str):
        return str(CHOICE_LABELS[field].get(value, value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else str(value)


def _prepare(entry: TimelineEntry) -> None:
    """What the template shows but cannot compute: change values as text, the number of moved links."""
    data = entry.data if isinstance(entry.data, dict) else {}
    entry.changes = [  # type: ignore[attr-defined]
        {
            "label": change.get("label") or change.get("field"),
            "old": _display(change.get("old"), str(change.get("field", ""))),
            "new": _display(change.get("new"), str(change.get("field", ""))),
        }
        for change in data.get("changes", [])
        if isinstance(change, dict)
    ]
    moved = data.get("moved", {})
    entry.moved_total = sum(v for v in moved.values() if isinstance(v, int)) if isinstance(moved, dict) else 0  # type: ignore[attr-defined]


@contacts_view("contacts.view")
def timeline(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    if subject not in SUBJECTS:
        raise Http404
    _check_subject(request, subject, pk)
    page = timeline_page(subject, pk, before=request.GET.get("before") or None)
    for entry in page.entries:
        _prepare(entry)
    context = {"page": page, "subject": subject, "pk": pk, "first_page": not request.GET.get("before")}
    return render(request, "contacts/includes/timeline.html", context)
