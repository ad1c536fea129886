"""Knowledge-base categories: the only writer. Names are unique among their siblings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.services.records import check_fields, validated
from modules.service.knowledge.models import KnowledgeCategory

FIELDS = ("name", "description", "parent", "position")


def _check_parent(category: KnowledgeCategory) -> None:
    ancestor = category.parent
    while ancestor is not None:
        if category.pk is not None and ancestor.pk == category.pk:
            raise ValidationError({"parent": [_("A category cannot sit under itself.")]})
        ancestor = ancestor.parent


def create_category(*, by: User | None, **values: Any) -> KnowledgeCategory:
    check_fields(KnowledgeCategory, values, FIELDS)
    if "position" not in values:
        last = KnowledgeCategory.objects.filter(parent=values.get("parent")).aggregate(last=Max("position"))["last"]
        values["position"] = (last or 0) + 1 if last is not None else 0
    category = KnowledgeCategory(**values)
    category.name = " ".join((category.name or "").split())
    validated(category)
    with transaction.atomic():
        category.save()
    return category


def update_category(category: KnowledgeCategory, *, by: User | None, **values: Any) -> KnowledgeCategory:
    check_fields(KnowledgeCategory, values, FIELDS)
    for name, value in values.items():
        setattr(category, name, value)
    category.name = " ".join((category.name or "").split())
    _check_parent(category)
    validated(category)
    with transaction.atomic():
        category.save()
    return category


def delete_category(category: KnowledgeCategory, *, by: User | None) -> None:
    """Its articles stay, without a category; a category with sub-categories cannot go."""
    if category.children.exists():
        raise ValidationError({"parent": [_("Move or delete its sub-categories first.")]})
    with transaction.atomic():
        category.delete()
