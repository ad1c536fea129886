"""The collateral library as an attachment source of the composers (``modules.collaboration.
composer``): the case reply attaches an item's current file or a signed share link. Offered to
users who may browse the library (``marketing.view`` or ``sales.view``) while marketing is in the
tenant's plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.input_bounds import value_problem
from modules.collaboration.composer import AttachmentSource
from modules.marketing.collateral.models import CollateralItem
from modules.marketing.collateral.services import SHARE_DAYS, attach_collateral, share_token
from modules.registry import is_enabled

PICKER_LIMIT = 300


def may_attach(request: Any) -> bool:
    user = request.user
    tenant = getattr(connection, "tenant", None)
    in_plan = tenant is not None and is_enabled(tenant, "marketing")
    return in_plan and (user.has_perm("marketing.view") or user.has_perm("sales.view"))


def live_items() -> QuerySet[CollateralItem]:
    """Items a composer can send: not archived, with a file."""
    return CollateralItem.objects.filter(archived_at__isnull=True, current_version__isnull=False)


def _item(request: Any, value: str) -> CollateralItem:
    if not may_attach(request):
        raise PermissionDenied(_("You may not attach collateral."))
    if not value.isdigit() or value_problem(int(value)):
        raise Http404
    return get_object_or_404(live_items().select_related("current_version"), pk=int(value))


def _choices(request: Any) -> list[tuple[str, str]]:
    rows = live_items().order_by("title", "id").values_list("pk", "title")[:PICKER_LIMIT]
    return [(str(pk), title) for pk, title in rows]


def share_url(request: Any, item: CollateralItem) -> str:
    token = share_token(item, valid_for=timedelta(days=SHARE_DAYS))
    return str(request.build_absolute_uri(reverse("marketing-collateral-public:download", args=[token])))


def _share_link(request: Any, value: str) -> tuple[str, str]:
    item = _item(request, value)
    return item.title, share_url(request, item)


COLLATERAL = AttachmentSource(
    key="collateral",
    label=_("Collateral"),
    available=may_attach,
    choices=_choices,
    attach=lambda request, value: attach_collateral(_item(request, value)),
    share_link=_share_link,
)
