"""Merging a duplicate into the record on screen: find it by search, preview what moves, confirm."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from modules.activities.models import Activity
from modules.contacts.models import TimelineEntry
from modules.contacts.selectors.lists import text_match
from modules.contacts.services.merge import merge_companies, merge_contacts
from modules.contacts.views.common import contacts_view, current_user, sales_visible
from modules.contacts.views.records import COMPANY, CONTACT, RecordType

PREVIEW_FIELDS = {
    "company": ("name", "email", "phone", "website", "industry", "city", "country", "owner", "lifecycle_stage"),
    "contact": ("full_name", "email", "phone", "job_title", "company", "city", "country", "owner", "lifecycle_stage"),
}


def _related_counts(request: HttpRequest, record: RecordType, duplicate: Any) -> list[tuple[str, int]]:
    link = {record.key: duplicate}
    counts = [
        (_("Activities"), Activity.objects.filter(**link).count()),
        (_("Timeline entries"), TimelineEntry.objects.filter(**link).count()),
    ]
    if record is COMPANY:
        counts.append((_("Contacts"), duplicate.contacts.count()))
    if sales_visible(request):
        from modules.sales.models import Deal

        counts.append((_("Deals"), Deal.objects.filter(**link).count()))
    return counts


def record_merge(request: HttpRequest, record: RecordType, pk: int) -> HttpResponse:
    user = current_user(request)
    visible = record.visible(user)
    survivor = get_object_or_404(visible.select_related("owner"), pk=pk)
    duplicate_id = request.POST.get("duplicate") or request.GET.get("duplicate") or ""
    duplicate = None
    if duplicate_id:
        duplicate = get_object_or_404(
            visible.select_related("owner").exclude(pk=survivor.pk), pk=duplicate_id if duplicate_id.isdigit() else 0
        )
    if request.method == "POST" and duplicate is not None:
        merge = merge_companies if record is COMPANY else merge_contacts
        try:
            merge(survivor, duplicate, by=user)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(duplicate)s was merged into %(survivor)s.") % {
                "duplicate": duplicate, "survivor": survivor,
            })  # fmt: skip
            return redirect(record.url("detail", survivor.pk))
    q = request.GET.get("q", "").strip()
    candidates = []
    if q and duplicate is None:
        candidates = list(text_match(visible.exclude(pk=survivor.pk), record.spec.name_field, q).order_by("pk")[:20])
    preview = None
    if duplicate is not None:
        rows = []
        for name in PREVIEW_FIELDS[record.key]:
            field = type(survivor)._meta.get_field(name)
            display = f"get_{name}_display"
            values = [
                getattr(obj, display)() if hasattr(obj, display) else getattr(obj, name)
                for obj in (survivor, duplicate)
            ]
            rows.append({"label": field.verbose_name, "survivor": values[0], "duplicate": values[1]})
        preview = {"rows": rows, "moved": _related_counts(request, record, duplicate)}
    context = {
        "record": record,
        "object": survivor,
        "duplicate": duplicate,
        "q": q,
        "candidates": candidates,
        "preview": preview,
    }
    return render(request, "contacts/merge.html", context)


@contacts_view("contacts.merge")
def company_merge(request: HttpRequest, pk: int) -> HttpResponse:
    return record_merge(request, COMPANY, pk)


@contacts_view("contacts.merge")
def contact_merge(request: HttpRequest, pk: int) -> HttpResponse:
    return record_merge(request, CONTACT, pk)
