"""The home page's own contributions: the onboarding checklist, recent records, and the checklist's
first step (inviting colleagues), which belongs to no module."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from identity.models import Invitation, User
from modules.home.onboarding import checklist_context
from modules.home.recent import recent_records
from modules.home.registry import ChecklistItem, HomeCard, register_card, register_checklist_item
from modules.home.scope import Scope


def _onboarding(request: HttpRequest, user: User, scope: Scope) -> dict[str, Any] | None:
    return checklist_context(getattr(request, "tenant", None))


def _recent(request: HttpRequest, user: User, scope: Scope) -> dict[str, Any] | None:
    return {"items": recent_records(getattr(request, "tenant", None), user)}


def _invited() -> bool:
    return Invitation.objects.exists() or User.objects.filter(is_active=True).count() > 1


def register() -> None:
    register_card(
        HomeCard(
            key="onboarding",
            title=_("Get started"),
            template="home/cards/onboarding.html",
            context=_onboarding,
            permission="settings.manage_tenant",
            order=0,
            wide=True,
        )
    )
    register_card(
        HomeCard(key="recent", title=_("Recent records"), template="home/cards/recent.html", context=_recent, order=60)
    )
    register_checklist_item(
        ChecklistItem(
            key="invite-users",
            title=_("Invite your team"),
            description=_("Invite colleagues by e-mail and give each a role."),
            url_name="settings:invitations",
            done=_invited,
            order=10,
        )
    )
