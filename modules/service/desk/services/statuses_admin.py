"""Settings → Service: the writers of the tenant's case statuses and categories.

A status is renamed, added within one of the fixed categories, moved, taken out of use and back;
it is deleted only while no case has it. Every category keeps at least one status in use, since
the case core opens, solves and reopens cases by category (``status_for``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from modules.contacts.services.records import validated
from modules.service.choices import StatusCategory
from modules.service.models import Case, CaseCategory, CaseStatus


def _clean_label(value: str, field: str = "label") -> str:
    label = " ".join(str(value or "").split())
    if not label:
        raise ValidationError({field: [_("Enter a name.")]})
    return label


def _free_key(label: str) -> str:
    base = (slugify(label) or "status")[:32]
    taken = set(CaseStatus.objects.filter(key__startswith=base).values_list("key", flat=True))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def add_status(*, label: str, category: str) -> CaseStatus:
    if category not in StatusCategory.values:
        raise ValidationError({"category": [_("Choose a category.")]})
    with transaction.atomic():
        last = CaseStatus.objects.aggregate(last=Max("position"))["last"]
        status = CaseStatus(label=_clean_label(label), category=category, position=(last or 0) + 1)
        status.key = _free_key(status.label)
        validated(status)
        status.save()
    return status


def rename_status(status: CaseStatus, *, label: str) -> CaseStatus:
    status.label = _clean_label(label)
    validated(status)
    status.save(update_fields=["label"])
    return status


def reorder_statuses(*, order: Sequence[object]) -> None:
    """Give the statuses the order of ``order`` (every status id once)."""
    try:
        ids = [int(str(pk)) for pk in order]
    except ValueError:
        raise ValidationError({"order": [_("The order lists an unknown status.")]}) from None
    with transaction.atomic():
        statuses = {status.pk: status for status in CaseStatus.objects.select_for_update()}
        if sorted(ids) != sorted(statuses):
            raise ValidationError({"order": [_("The order must list every status once.")]})
        for position, pk in enumerate(ids):
            statuses[pk].position = position
        CaseStatus.objects.bulk_update(statuses.values(), ["position"])


def _others_in_use(status: CaseStatus) -> bool:
    return CaseStatus.objects.filter(category=status.category, is_active=True).exclude(pk=status.pk).exists()


def set_status_active(status: CaseStatus, *, active: bool) -> CaseStatus:
    """Take a status out of use (cases keep it; new moves cannot choose it) or back into use."""
    with transaction.atomic():
        status = CaseStatus.objects.select_for_update().get(pk=status.pk)
        # Lock the category's statuses so two admins cannot each retire one of the last two.
        list(CaseStatus.objects.select_for_update().filter(category=status.category))
        if not active and not _others_in_use(status):
            raise ValidationError(
                {"is_active": [_("Each category keeps at least one status in use: add another one first.")]}
            )
        status.is_active = active
        status.save(update_fields=["is_active"])
    return status


def delete_status(status: CaseStatus) -> None:
    """Delete a status no case has (a status in use is taken out of use instead)."""
    with transaction.atomic():
        status = CaseStatus.objects.select_for_update().get(pk=status.pk)
        list(CaseStatus.objects.select_for_update().filter(category=status.category))
        if Case.objects.filter(status=status).exists():
            raise ValidationError({"status": [_("Cases have this status: take it out of use instead.")]})
        if status.is_active and not _others_in_use(status):
            raise ValidationError({"status": [_("Each category keeps at least one status in use.")]})
        status.delete()


def add_category(*, name: str) -> CaseCategory:
    category = CaseCategory(name=_clean_label(name, "name"))
    validated(category)
    category.save()
    return category


def rename_category(category: CaseCategory, *, name: str) -> CaseCategory:
    category.name = _clean_label(name, "name")
    validated(category)
    category.save(update_fields=["name"])
    return category


def set_category_active(category: CaseCategory, *, active: bool) -> CaseCategory:
    category.is_active = active
    category.save(update_fields=["is_active"])
    return category
