"""The tenant's audit log (settings): what was done, by whom — support impersonations included —
filtered by who, what kind and when, and downloadable as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from core.input_bounds import bounded_input
from core.localized_dates import LocalizedDateField
from core.spreadsheet_cells import safe_text
from identity.audit_actions import action_label, kind_choices, kinds_sharing
from identity.decorators import permission_required
from identity.models import AuditEntry
from identity.time_zones import user_time_zone

PAGE_SIZE = 50
EXPORT_BATCH = 2000


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who"), required=False, max_length=254)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    since = LocalizedDateField(label=_("From"), required=False, validators=[bounded_input])
    until = LocalizedDateField(label=_("To"), required=False, validators=[bounded_input])
    # One action exactly (links from elsewhere name it); the form offers kinds.
    action = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *kind_choices()]  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if name == "kind" else "form-control form-control-sm"
            field.widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}-errors"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end comes before the start."))
        return cleaned


def filtered_entries(form: AuditFilterForm) -> QuerySet[AuditEntry]:
    """The entries the (valid) filters select, newest first; dates are days in the reader's zone."""
    entries = AuditEntry.objects.all()
    data = form.cleaned_data
    if data.get("actor"):
        entries = entries.filter(actor__icontains=data["actor"].strip())
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("kind"):
        prefixes = Q()
        for kind in kinds_sharing(data["kind"]):
            prefixes |= Q(action__startswith=f"{kind}.")
        entries = entries.filter(prefixes)
    zone = timezone.get_current_timezone()
    if data.get("since"):
        entries = entries.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=zone))
    if data.get("until"):
        entries = entries.filter(at__lt=datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=zone))
    return entries


def _form(request: HttpRequest) -> AuditFilterForm:
    return AuditFilterForm(request.GET or None)


@permission_required("settings.manage_tenant")
def audit_log(request: HttpRequest) -> HttpResponse:
    with timezone.override(user_time_zone(request)):
        form = _form(request)
        valid = form.is_valid()
        entries = filtered_entries(form) if valid else AuditEntry.objects.none()
        if not form.is_bound:
            form = AuditFilterForm()
            entries = AuditEntry.objects.all()
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        for entry in page.object_list:
            entry.label = action_label(entry.action)  # type: ignore[attr-defined]
        filters = urlencode({key: value for key, value in request.GET.items() if key != "page" and value})
        return render(
            request,
            "identity/settings/audit_log.html",
            {"page": page, "form": form, "filters": filters},
            status=400 if form.is_bound and not valid else 200,
        )


@permission_required("settings.manage_tenant")  # type: ignore[arg-type]  # a streamed answer
def audit_log_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered entries as CSV; every cell guarded against formula injection."""
    zone = user_time_zone(request)
    with timezone.override(zone):
        form = _form(request)
        if form.is_bound and not form.is_valid():
            return render(
                request, "identity/settings/audit_log.html", {"page": None, "form": form, "filters": ""}, status=400
            )
        entries = filtered_entries(form) if form.is_bound else AuditEntry.objects.all()

    schema, language = connection.schema_name, translation.get_language()  # type: ignore[attr-defined]
    header = [str(_("When")), str(_("Who")), str(_("Action")), str(_("What")), str(_("On")), str(_("Address"))]

    def rows() -> Iterator[str]:
        # The body is read after the view returned: keep the tenant's schema around the reads
        # rather than trusting whatever the connection holds by then.
        writer = csv.writer(_Echo())
        yield writer.writerow(header)
        with schema_context(schema), translation.override(language):
            yield from _entry_rows(writer, entries, zone)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def _entry_rows(writer: Any, entries: QuerySet[AuditEntry], zone: Any) -> Iterator[str]:
    for entry in entries.iterator(chunk_size=EXPORT_BATCH):
        yield writer.writerow(
            [
                timezone.localtime(entry.at, zone).isoformat(timespec="seconds"),
                safe_text(entry.actor),
                safe_text(action_label(entry.action)),
                safe_text(entry.summary),
                safe_text(entry.target),
                entry.ip_address or "",
            ]
        )


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds the stream."""

    def write(self, value: str) -> str:
        return value
