"""The record types that carry notes, attachments and followers.

Each is a nullable foreign key of the same name on ``Note``, ``Attachment`` and ``Follow``
(explicit keys, as on activities and timeline entries, so deletion cascades in the database and
queries stay indexable). A record type a module adds later is one entry here plus one foreign
key on each model (and on ``TimelineEntry``, where its notes and files are told).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import reverse


@dataclass(frozen=True)
class Target:
    key: str
    model: str  # app label and model name
    module: str  # the module whose permissions guard it
    detail_url: str
    owner_field: str = "owner"

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def url(self, pk: int) -> str:
        return reverse(self.detail_url, args=[pk])


TARGETS: dict[str, Target] = {
    target.key: target
    for target in (
        Target("company", "contacts.Company", "contacts", "contacts:company-detail"),
        Target("contact", "contacts.Contact", "contacts", "contacts:contact-detail"),
        Target("lead", "sales.Lead", "sales", "sales:lead-detail"),
        Target("deal", "sales.Deal", "sales", "sales:deal-detail"),
        Target("order", "sales.Order", "sales", "sales:order-detail"),
    )
}
SUBJECTS = tuple(TARGETS)


def target_of(record: models.Model) -> Target:
    label = record._meta.label
    for target in TARGETS.values():
        if target.model == label:
            return target
    raise LookupError(f"{label} carries no notes")


def record_links(record: models.Model) -> dict[str, Any]:
    """``{"deal": deal}``: the foreign key a note, attachment or follow of ``record`` sets."""
    return {target_of(record).key: record}


def link_filter(subject: str, pk: int) -> dict[str, int]:
    if subject not in TARGETS:
        raise LookupError(subject)
    return {f"{subject}_id": pk}


def subject_of(row: Any) -> tuple[str, int]:
    """The (subject, record id) a note, attachment or follow belongs to."""
    for key in TARGETS:
        value = getattr(row, f"{key}_id", None)
        if value is not None:
            return key, value
    raise LookupError(f"{row!r} belongs to no record")


def one_target() -> models.Q:
    """One and only one of the target keys is set (the models' check constraint)."""
    combined = models.Q()
    for chosen in TARGETS:
        combined |= models.Q(**{f"{key}__isnull": key != chosen for key in TARGETS})
    return combined
