"""The owner filter's searchable picker: people and teams matching what the reader types, as JSON
for the shared ``recordPicker`` component (a workspace may have thousands of users, too many for a
select). Choosing one narrows the widgets to that person's or team's records, within what the
reader may see; the filter itself is ``owner``/``team`` (``filters``)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.input_bounds import text_problem
from identity.models import Team, User
from modules.analytics.dashboards.filters import Chosen
from modules.analytics.views import analytics_page

PICKER_SIZE = 20


def owner_choice(chosen: Chosen) -> dict[str, str]:
    """The picker's hidden value (``owner:<id>``, ``team:<id>`` or empty) and the name it shows."""
    if chosen.owner is not None:
        person = User.objects.filter(pk=chosen.owner).only("full_name", "email").first()
        return {"value": f"owner:{chosen.owner}", "label": person.display_name if person else ""}
    if chosen.team is not None:
        team = Team.objects.filter(pk=chosen.team).only("name").first()
        return {"value": f"team:{chosen.team}", "label": team.name if team else ""}
    return {"value": "", "label": ""}


@require_safe
@analytics_page()
def owner_picker(request: HttpRequest) -> JsonResponse:
    q = request.GET.get("q", "").strip()[:100]
    if not q or text_problem(q):
        return JsonResponse({"results": []})
    people = (
        User.objects.filter(is_active=True)
        .filter(Q(full_name__icontains=q) | Q(email__icontains=q))
        .order_by("full_name", "pk")
        .only("pk", "full_name", "email")[:PICKER_SIZE]
    )
    teams = Team.objects.filter(name__icontains=q).order_by("name", "pk")[:PICKER_SIZE]
    results = [{"id": f"owner:{p.pk}", "label": p.display_name, "detail": p.email} for p in people]
    results += [{"id": f"team:{t.pk}", "label": t.name, "detail": _("Team")} for t in teams]
    return JsonResponse({"results": results[:PICKER_SIZE]})
