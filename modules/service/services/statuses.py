"""The tenant's case statuses and categories: seeded in the tenant's language, found by category."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from modules.service.choices import StatusCategory
from modules.service.models import CaseCategory, CaseStatus


def _seeded_statuses() -> list[tuple[str, str, str]]:
    return [
        ("new", _("New"), StatusCategory.NEW),
        ("open", _("Open"), StatusCategory.OPEN),
        ("waiting", _("Waiting on customer"), StatusCategory.PENDING),
        ("on-hold", _("On hold"), StatusCategory.ON_HOLD),
        ("solved", _("Solved"), StatusCategory.SOLVED),
        ("closed", _("Closed"), StatusCategory.CLOSED),
    ]


def seed_service() -> None:
    """A new tenant's case statuses and a few categories, named in the tenant's language (idempotent)."""
    with transaction.atomic():
        if not CaseStatus.objects.exists():
            CaseStatus.objects.bulk_create(
                CaseStatus(key=key, label=label, category=category, position=position)
                for position, (key, label, category) in enumerate(_seeded_statuses())
            )
        if not CaseCategory.objects.exists():
            names = [_("Question"), _("Problem"), _("Billing"), _("Returns"), _("Feature request")]
            CaseCategory.objects.bulk_create(CaseCategory(name=name) for name in names)


def status_for(category: str) -> CaseStatus:
    """The first status in use of ``category`` (the statuses are seeded when a tenant has none)."""
    status = CaseStatus.objects.filter(category=category, is_active=True).order_by("position", "id").first()
    if status is None:
        seed_service()
        status = CaseStatus.objects.filter(category=category).order_by("-is_active", "position", "id").first()
    if status is None:  # the tenant deleted every status of the category: give it one back
        status = CaseStatus.objects.create(
            key=f"{category}-status", label=str(StatusCategory(category).label), category=category, position=99
        )
    return status
