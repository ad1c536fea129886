"""The timeline fragment every record page embeds (``hx-get`` on load), with "load more" pages and
a filter by kind (both htmx, both keyset pages)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.time_zones import user_time_zone
from identity.visibility import restrict_to_visible
from modules.contacts.models import TimelineEntry
from modules.contacts.selectors.lists import visible_companies, visible_contacts
from modules.contacts.selectors.timeline import KIND_FILTERS, SUBJECTS, timeline_page
from modules.contacts.views.common import contacts_view, current_user
from modules.contacts.views.timeline_display import EntryLabels, about_link, entry_record, status_label
from modules.plan_gate import ensure_in_plan
from modules.record_access import page_access


def _check_subject(request: HttpRequest, subject: str, pk: int) -> None:
    """404 unless the user may see the record (leads, deals and orders also need sales and
    ``sales.view``)."""
    user = current_user(request)
    queryset: Any
    if subject == "company":
        queryset = visible_companies(user)
    elif subject == "contact":
        queryset = visible_contacts(user)
    elif subject in ("lead", "deal", "order"):
        ensure_in_plan(getattr(request, "tenant", None), "sales")
        if not user.has_perm("sales.view"):
            raise PermissionDenied(_("Your role does not include “%(permission)s”.") % {"permission": "sales.view"})
        from modules.sales.models import Deal, Lead, Order

        model = {"lead": Lead, "deal": Deal, "order": Order}[subject]
        queryset = restrict_to_visible(model._default_manager.all(), user)
    else:
        raise Http404
    get_object_or_404(queryset.only("pk"), pk=pk)


def kind_filters() -> list[tuple[str, str]]:
    labels = {
        "notes": _("Notes and files"),
        "activities": _("Activities"),
        "emails": _("E-mails"),
        "changes": _("Changes"),
        "deals": _("Sales"),
    }
    return [("", _("All")), *((key, labels[key]) for key in KIND_FILTERS)]


def _prepare(request: HttpRequest, entries: list[TimelineEntry], subject: str) -> None:
    """What the template shows but cannot compute: changes and steps in words, the record an entry
    is about, statuses by label, the number of moved links."""
    labels = EntryLabels(entries, user=current_user(request))
    access = page_access(request)
    for entry in entries:
        data = entry.data if isinstance(entry.data, dict) else {}
        entry.changes = labels.changes(entry)  # type: ignore[attr-defined]
        entry.steps = labels.steps(entry)  # type: ignore[attr-defined]
        entry.about = about_link(entry, subject, access)  # type: ignore[attr-defined]
        entity = entry_record(entry) or ""
        entry.from_status = status_label(entity, data.get("from_status"))  # type: ignore[attr-defined]
        entry.to_status = status_label(entity, data.get("to_status"))  # type: ignore[attr-defined]
        moved = data.get("moved", {})
        entry.moved_total = sum(v for v in moved.values() if isinstance(v, int)) if isinstance(moved, dict) else 0  # type: ignore[attr-defined]


@contacts_view("contacts.view")
def timeline(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    if subject not in SUBJECTS:
        raise Http404
    kind = request.GET.get("kind", "")
    if kind and kind not in KIND_FILTERS:
        return HttpResponseBadRequest(_("kind: choose one of the timeline's filters."))
    _check_subject(request, subject, pk)
    with timezone.override(user_time_zone(request)):
        page = timeline_page(
            subject, pk, before=request.GET.get("before") or None, kind=kind, viewer_id=current_user(request).pk
        )
        _prepare(request, page.entries, subject)
        context = {
            "page": page,
            "subject": subject,
            "pk": pk,
            "kind": kind,
            "kinds": kind_filters(),
            "first_page": not request.GET.get("before"),
        }
        return render(request, "contacts/includes/timeline.html", context)
