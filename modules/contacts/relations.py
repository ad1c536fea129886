"""The rows that point at a record, whatever module defines them: what a merge moves and a
data-subject request exports and erases."""

from __future__ import annotations

from typing import cast

from django.db import models
from django.db.models import ForeignObjectRel


def incoming_relations(model: type[models.Model]) -> list[ForeignObjectRel]:
    """The one-to-many and one-to-one relations into ``model`` from other models, those without a
    reverse accessor (``related_name="+"``) included; many-to-many link tables are left out."""
    relations = []
    for field in model._meta.get_fields(include_hidden=True):
        if not (field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)):
            continue
        relation = cast(ForeignObjectRel, field)
        related = relation.related_model
        if related is None or related is model or related._meta.auto_created:
            continue
        relations.append(relation)
    return relations


def related_model_of(relation: ForeignObjectRel) -> type[models.Model]:
    return cast(type[models.Model], relation.related_model)
