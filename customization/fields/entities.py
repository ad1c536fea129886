"""Which model holds each entity's records (and its ``custom`` column), and whether a user may open
them at all.

The modules own that last rule (``modules.record_access``: the plan includes the module and the
role may view it); this package imports no module, so they register it here from their
``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse

from customization.fields.choices import Entity
from identity.visibility import restrict_to_visible

ENTITY_MODELS: dict[str, str] = {
    Entity.COMPANY: "contacts.Company",
    Entity.CONTACT: "contacts.Contact",
    Entity.LEAD: "sales.Lead",
    Entity.DEAL: "sales.Deal",
    Entity.ACTIVITY: "activities.Activity",
    Entity.ORDER: "sales.Order",
    Entity.CASE: "service.Case",
    Entity.CAMPAIGN: "marketing.Campaign",
}

# The column a record is found and shown by, and the page that shows one.
NAME_FIELDS: dict[str, str] = {
    Entity.COMPANY: "name",
    Entity.CONTACT: "full_name",
    Entity.LEAD: "full_name",
    Entity.DEAL: "name",
    Entity.ACTIVITY: "subject",
    Entity.ORDER: "number",
    Entity.CASE: "number",
    Entity.CAMPAIGN: "name",
}
DETAIL_URLS: dict[str, str] = {
    Entity.COMPANY: "contacts:company-detail",
    Entity.CONTACT: "contacts:contact-detail",
    Entity.LEAD: "sales:lead-detail",
    Entity.DEAL: "sales:deal-detail",
    Entity.ACTIVITY: "activities:activity-detail",
    Entity.ORDER: "sales:order-detail",
    Entity.CASE: "service:case-detail",
    Entity.CAMPAIGN: "marketing:campaign-detail",
}


# ``check(user, tenant, model)``: records of ``model`` may be shown to ``user`` on ``tenant`` at all.
ModelAccess = Callable[[Any, object, type[models.Model]], bool]
_MODEL_ACCESS: list[ModelAccess] = []


def register_model_access(check: ModelAccess) -> None:
    _MODEL_ACCESS[:] = [check]


def may_open(user: Any, tenant: object, model: type[models.Model]) -> bool:
    """The registered rule; ``LookupError`` when no module registered one (never shown by default)."""
    if not _MODEL_ACCESS:
        raise LookupError("no module registered the record access rule")
    return _MODEL_ACCESS[0](user, tenant, model)


def visible_records(entity: str, user: Any) -> QuerySet[Any]:
    """The records of ``entity`` that ``user`` may see (activities by assignee, others by owner)."""
    owner_field = "assignee" if entity == Entity.ACTIVITY else "owner"
    return restrict_to_visible(entity_model(entity)._default_manager.all(), user, owner_field=owner_field)


def record_url(entity: str, pk: int) -> str:
    """The page that shows one record of ``entity``."""
    return reverse(DETAIL_URLS[entity], args=[pk])


def entity_model(entity: str) -> type[models.Model]:
    return apps.get_model(ENTITY_MODELS[entity])


def entity_of(model: type[models.Model] | models.Model) -> str:
    """The entity key of a model class or instance (``contacts.Contact`` → ``contact``)."""
    label = model._meta.label
    for entity, model_label in ENTITY_MODELS.items():
        if model_label == label:
            return entity
    raise LookupError(f"{label} has no custom fields")
