"""One occurrence of a recurring meeting or call: changed on its own, or deleted from its series.

An occurrence is named by the series and its original start as a Unix time
(``/activities/<series>/occurrences/<start>/…``); a start the series has no instance at is a 404.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customization.fields.form_fields import form_errors
from identity.forms import apply_service_errors, form_status
from modules.activities.forms import OccurrenceForm
from modules.activities.models import Activity
from modules.activities.services.series import (
    OCCURRENCE_FIELDS,
    delete_occurrence,
    edit_occurrence,
    instance_at,
    override_of,
)
from modules.activities.views.common import activities_view, current_user, get_visible_activity


def occurrence_of(request: HttpRequest, pk: int, stamp: int) -> tuple[Activity, datetime]:
    """The visible series and the original start of its instance at ``stamp``; 404 otherwise."""
    series = get_visible_activity(request, pk)
    try:
        moment = datetime.fromtimestamp(stamp, tz=UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise Http404 from error
    original = instance_at(series, moment)
    if original is None:
        raise Http404
    return series, original


@activities_view("activities.change")
def occurrence_edit(request: HttpRequest, pk: int, stamp: int) -> HttpResponse:
    series, original = occurrence_of(request, pk, stamp)
    row = override_of(series, original)
    if row is not None:  # changed before: it is a row of its own, edited as such
        return redirect("activities:activity-edit", pk=row.pk)
    length = (series.ends_at - series.due_at) if series.ends_at and series.due_at else None
    initial: dict[str, Any] = {name: getattr(series, name) for name in OCCURRENCE_FIELDS}
    initial.update(due_at=original, ends_at=original + length if length is not None else None)
    form = OccurrenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {name: value for name, value in form.cleaned_data.items() if value != initial[name]}
        try:
            row = edit_occurrence(series, original, by=current_user(request), **changed)
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("This occurrence is changed; the rest of the series stays as it was."))
            return redirect("activities:activity-detail", pk=row.pk)
    context = {"form": form, "series": series, "original": original}
    return render(request, "activities/occurrence_form.html", context, status=form_status(form))


@activities_view("activities.change")
@require_POST
def occurrence_delete(request: HttpRequest, pk: int, stamp: int) -> HttpResponse:
    series, original = occurrence_of(request, pk, stamp)
    delete_occurrence(series, original, by=current_user(request))
    messages.success(request, _("This occurrence is deleted; the rest of the series stays."))
    return redirect("activities:activity-detail", pk=series.pk)
