"""The home page: the registered cards the user may see, for them or their team."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from identity.client_address import client_address
from identity.decorators import permission_required, signed_in_user
from identity.time_zones import user_time_zone
from modules.home.onboarding import dismiss_checklist
from modules.home.registry import HomeCard, cards_for
from modules.home.scope import scope_for


@dataclass(frozen=True)
class ShownCard:
    card: HomeCard
    data: dict[str, Any]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    scope = scope_for(user, request.GET.get("scope"))
    with timezone.override(user_time_zone(request)):
        shown = []
        for card in cards_for(getattr(request, "tenant", None), user):
            data = card.context(request, user, scope)
            if data is not None:
                shown.append(ShownCard(card, data))
        return render(request, "shell/home.html", {"cards": shown, "scope": scope})


@permission_required("settings.manage_tenant")
@require_POST
def dismiss_onboarding(request: HttpRequest) -> HttpResponse:
    dismiss_checklist(by=signed_in_user(request), ip_address=client_address(request))
    messages.success(request, _("The checklist is dismissed. Settings keep every step within reach."))
    return redirect("shell:home")
