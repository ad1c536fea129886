"""The marketing home page: the module's parts (its navigation entries, whichever marketing apps
add them) and the campaigns at a glance."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from identity.decorators import signed_in_user
from modules.marketing.choices import CampaignStatus
from modules.marketing.guard import marketing_page
from modules.marketing.selectors.campaigns import visible_campaigns
from modules.registry import MODULES_BY_KEY

HOME = "marketing:home"
RECENT = 5


@marketing_page("marketing.view")
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    parts = [
        entry
        for entry in MODULES_BY_KEY["marketing"].nav
        if entry.url_name != HOME and (entry.permission is None or user.has_perm(entry.permission))
    ]
    campaigns = visible_campaigns(user)
    figures = campaigns.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=CampaignStatus.ACTIVE)),
        planned=Count("pk", filter=Q(status=CampaignStatus.PLANNED)),
    )
    spend = list(
        campaigns.values("currency").annotate(budget=Sum("budget"), cost=Sum("actual_cost")).order_by("currency")
    )
    active = list(
        campaigns.filter(status=CampaignStatus.ACTIVE)
        .select_related("owner")
        .annotate(member_count=Count("members"))
        .order_by("end_date", "name")[:RECENT]
    )
    context = {"parts": parts, "figures": figures, "spend": spend, "active": active}
    return render(request, "marketing/home.html", context)
