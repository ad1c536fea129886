"""What the meeting form asks while it is filled in: people to invite matching what is typed
(colleagues and contacts with an address), and the chosen colleagues' busy times on the day
being picked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.input_bounds import moment_problem, text_problem
from identity.models import User
from modules.activities.selectors import visible_activities
from modules.activities.services.free_busy import busy_times
from modules.activities.views.common import activities_view, current_user
from modules.contacts.selectors.lists import text_match, visible_contacts

SUGGESTIONS = 8
MAX_PEOPLE = 50
SLOT = timedelta(minutes=30)
FIRST_HOUR, LAST_HOUR = 7, 20  # the day shown, widened to take in the proposed time


@activities_view("activities.change")
@require_GET
def attendee_suggestions(request: HttpRequest) -> JsonResponse:
    """Colleagues and visible contacts with an address whose name or address contains ``q``."""
    q = request.GET.get("q", "").strip()[:100]
    if not q or text_problem(q):
        return JsonResponse({"results": []})
    results: list[dict[str, Any]] = []
    people = User.objects.filter(is_active=True).filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    for person in people.order_by("full_name", "email")[:SUGGESTIONS]:
        results.append(
            {"value": f"user:{person.pk}", "label": person.display_name, "detail": person.email, "kind": "user",
             "user": person.pk}
        )  # fmt: skip
    visible = visible_contacts(current_user(request))
    by_name = text_match(visible, "full_name", q, substring=True).values("pk")
    contacts = visible.filter(Q(pk__in=by_name) | Q(email__icontains=q)).exclude(email="")
    for contact in contacts.order_by("full_name", "id")[:SUGGESTIONS]:
        results.append(
            {"value": f"contact:{contact.pk}", "label": str(contact), "detail": contact.email, "kind": "contact"}
        )
    return JsonResponse({"results": results})


def _moment(request: HttpRequest, name: str) -> datetime | None:
    """A ``datetime-local`` value of the form, read in the user's zone; ValueError names the field."""
    text = request.GET.get(name, "")
    if not text:
        return None
    try:
        parsed = parse_datetime(text[:40])
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(name)
    moment = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
    if moment_problem(moment):
        raise ValueError(name)
    return moment


def _user_ids(request: HttpRequest) -> list[int]:
    values = [value for value in request.GET.getlist("users") if value]
    if len(values) > MAX_PEOPLE or any(not value.isdigit() or len(value) > 18 for value in values):
        raise ValueError("users")
    return sorted({int(value) for value in values})


@activities_view("activities.change")
@require_GET
def free_busy(request: HttpRequest) -> HttpResponse:
    """The chosen colleagues' busy times on the day of ``start`` (the user's zone) as slots of half
    an hour, the proposed ``start``–``end`` marked; ``leave_out`` is the meeting being edited."""
    try:
        start, end, user_ids = _moment(request, "start"), _moment(request, "end"), _user_ids(request)
    except ValueError as error:
        return HttpResponse(_("%(field)s: enter a valid value.") % {"field": error.args[0]}, status=400)
    if start is None or not user_ids:
        return render(request, "activities/includes/free_busy.html", {"rows": []})
    end = end if end is not None and end > start else start + SLOT
    leave_out = request.GET.get("leave_out", "")
    left_out: int | None = None
    if leave_out.isdigit() and len(leave_out) < 19:  # the meeting being edited, when the user may see it
        found = visible_activities(current_user(request)).filter(pk=int(leave_out)).values_list("pk", flat=True)
        left_out = next(iter(found), None)
    people = {person.pk: person for person in User.objects.filter(pk__in=user_ids, is_active=True)}
    day = timezone.localtime(start).replace(hour=0, minute=0, second=0, microsecond=0)
    busy = busy_times(people, start=day, end=day + timedelta(days=1), leave_out=left_out)
    first = day + timedelta(hours=min(FIRST_HOUR, timezone.localtime(start).hour))
    last = day + timedelta(hours=max(LAST_HOUR, min(timezone.localtime(end).hour + 1, 24)))
    slots = []
    moment = first
    while moment < last:
        slots.append((moment, moment + SLOT))
        moment += SLOT
    rows = []
    for user_id, person in sorted(people.items(), key=lambda item: str(item[1])):
        spans = busy.get(user_id, [])
        rows.append(
            {
                "user": person,
                "busy": spans,
                "clash": any(begin < end and finish > start for begin, finish in spans),
                "slots": [
                    {
                        "start": begin,
                        "busy": any(b < finish and f > begin for b, f in spans),
                        "proposed": begin < end and finish > start,
                    }
                    for begin, finish in slots
                ],
            }
        )
    context = {"rows": rows, "day": day, "hours": [slot[0] for slot in slots if slot[0].minute == 0]}
    return render(request, "activities/includes/free_busy.html", context)
