"""Users and records that custom fields point to, loaded in batches.

graphene's DataLoader needs asyncio and the view executes synchronously, so batching works the
other way round: the operation remembers every record it resolved (``api.graphql.batching``: the
rows of connection pages, nodes, mutation payloads and the records they link to), and the first
user (or record) a ``custom`` field asks for loads the ids that all those records' link fields
hold at once. A page therefore costs one query per target type (plus that type's own
prefetching), whatever its length, and so do the records reached through its links.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import Model
from graphql import GraphQLError

from api.graphql.batching import instances_of, remember
from api.graphql.custom_fields.catalog import catalog_of
from customization.fields.choices import Entity, FieldType
from customization.fields.entities import ENTITY_MODELS
from customization.fields.models import CustomFieldDefinition

LINK_TYPES = frozenset({FieldType.USER, FieldType.REFERENCE})
USER_TARGET = "user"


def target_type(target: str) -> Any:
    """The graphene node type of ``user`` or an entity (imported late: the record types import
    this package's connection field)."""
    from api.graphql.activities.types import ActivityType
    from api.graphql.contacts.types import CompanyType, ContactType
    from api.graphql.identity.types import UserType
    from api.graphql.marketing.types import CampaignType
    from api.graphql.sales.orders import OrderType
    from api.graphql.sales.types import DealType, LeadType
    from api.graphql.service.types import CaseType

    return {
        USER_TARGET: UserType,
        Entity.COMPANY: CompanyType,
        Entity.CONTACT: ContactType,
        Entity.LEAD: LeadType,
        Entity.DEAL: DealType,
        Entity.ACTIVITY: ActivityType,
        Entity.ORDER: OrderType,
        Entity.CASE: CaseType,
        Entity.CAMPAIGN: CampaignType,
    }[target]


def target_of(definition: CustomFieldDefinition) -> str:
    return USER_TARGET if definition.field_type == FieldType.USER else str(definition.reference_entity)


def stored_id(record: Model, key: str) -> int | None:
    value = (getattr(record, "custom", None) or {}).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class LinkLoader:
    """One operation's cache of linked users and records (None: missing or not visible)."""

    def __init__(self) -> None:
        self.loaded: dict[tuple[str, int], Model | None] = {}

    def load(self, info: Any, target: str, pk: int) -> Model | None:
        if (target, pk) not in self.loaded:
            self.fetch(info, target, {pk, *self.pending_ids(info, target)})
        return self.loaded[(target, pk)]

    def pending_ids(self, info: Any, target: str) -> Iterable[int]:
        """Ids of ``target`` that the link fields of the operation's records hold, not loaded yet."""
        catalog = catalog_of(info)
        for entity, label in ENTITY_MODELS.items():
            definitions = [
                d for d in catalog.definitions(entity) if d.field_type in LINK_TYPES and target_of(d) == target
            ]
            if not definitions:
                continue
            for record in instances_of(info, apps.get_model(label)):
                for definition in definitions:
                    pk = stored_id(record, definition.key)
                    if pk is not None and (target, pk) not in self.loaded:
                        yield pk

    def fetch(self, info: Any, target: str, pks: set[int]) -> None:
        graphene_type = target_type(target)
        model = graphene_type._meta.model
        try:
            found = {row.pk: row for row in graphene_type.get_queryset(model.objects.filter(pk__in=pks), info)}
        except GraphQLError:
            found = {}  # the module is off or the role may not see these records: the links read as null
        for pk in pks:
            self.loaded[(target, pk)] = found.get(pk)
        remember(info, list(found.values()))


def loader_for(info: Any) -> LinkLoader:
    """The loader of the operation being executed, kept on the request (a fresh one without it)."""
    context = info.context
    if context is None:
        return LinkLoader()
    loaders: dict[int, LinkLoader] | None = getattr(context, "custom_field_links", None)
    if loaders is None:
        loaders = {}
        context.custom_field_links = loaders
    return loaders.setdefault(id(info.operation), LinkLoader())


def register_page(info: Any, entity: str, records: list[Model]) -> None:
    """Let the links of ``records`` (a page of ``entity``) load together when first asked for, and
    those of the records they link to."""
    remember(info, records)
