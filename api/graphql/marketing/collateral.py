"""GraphQL of the sales collateral library (marketing module): ``CollateralItem`` (fields from the
entity description) with its ``versions``, the root connection ``collateralItems``, and the
mutations ``collateralItemCreate/Update/Delete`` for an item's fields and ``collateralItemArchive``
(archive or restore, like an edit). Files are not carried by
GraphQL: a version is uploaded with REST (``POST /api/v1/collateral_items/<id>/versions/``,
multipart) and each version gives its REST ``downloadUrl``."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from graphene_django import DjangoObjectType

from api.entities import COLLATERAL_ITEM
from api.entities.graphql import connection_arguments, describe_fields, filter_records, type_fields
from api.graphql.core import (
    ConnectionField,
    CountableConnection,
    Node,
    RecordMutation,
    error_type,
    input_values,
    reloaded,
    resolve_reference,
)
from api.graphql.identity.types import UserType
from api.graphql.marketing.forms import MarketingType
from identity.models import User
from modules.marketing.collateral.models import CollateralItem, CollateralVersion
from modules.marketing.collateral.services import archive_item, create_item, delete_item, update_item


class CollateralVersionType(DjangoObjectType):
    """One uploaded file of a collateral item (its bytes come from ``downloadUrl``, over REST)."""

    uploaded_by = graphene.Field(UserType)
    download_url = graphene.String(required=True, description="The REST download of this version's file.")

    class Meta:
        model = CollateralVersion
        name = "CollateralVersion"
        fields = ("id", "number", "filename", "content_type", "size", "note", "uploaded_by", "created_at")

    @staticmethod
    def resolve_id(root: CollateralVersion, info: Any) -> int:
        return root.pk

    @staticmethod
    def resolve_download_url(root: CollateralVersion, info: Any) -> str:
        path = f"/api/v1/collateral_items/{root.item_id}/versions/{root.pk}/download/"
        return info.context.build_absolute_uri(path)  # type: ignore[no-any-return]


class CollateralItemType(MarketingType):
    """An item of the sales collateral library."""

    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    current_version = graphene.Field(CollateralVersionType)
    created_by = graphene.Field(UserType)
    versions = graphene.List(
        graphene.NonNull(CollateralVersionType), required=True, description="Every version, newest first."
    )

    class Meta:
        model = CollateralItem
        name = COLLATERAL_ITEM.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(COLLATERAL_ITEM)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[CollateralItem], info: Any) -> QuerySet[CollateralItem]:
        versions = CollateralVersion.objects.select_related("uploaded_by").order_by("-number", "-id")
        return (
            super()
            .get_queryset(queryset, info)
            .select_related("current_version", "current_version__uploaded_by", "created_by")
            .prefetch_related(Prefetch("versions", queryset=versions))
        )

    @staticmethod
    def resolve_versions(root: CollateralItem, info: Any) -> Any:
        return root.versions.all()


describe_fields(CollateralItemType, COLLATERAL_ITEM)


class MarketingCollateralQueries(graphene.ObjectType):
    collateral_items = ConnectionField(
        CollateralItemType,
        **connection_arguments(COLLATERAL_ITEM),
        description="The sales collateral library, archived items included (marketing module).",
    )

    def resolve_collateral_items(self, info: Any, **args: Any) -> QuerySet[CollateralItem]:
        return filter_records(COLLATERAL_ITEM, CollateralItem.objects.all(), args)


class CollateralItemInput(graphene.InputObjectType):
    title = graphene.String(description="Required on create.")
    description = graphene.String()
    category = graphene.String()
    tags = graphene.List(graphene.NonNull(graphene.String), description="Replaces the item's tags.")


def item_values(data: Any) -> dict[str, Any]:
    values = input_values(data)
    for name in ("description", "category", "title"):
        if name in values and values[name] is None:
            values[name] = ""
    if "tags" in values and values["tags"] is None:
        values["tags"] = []
    return values


class CollateralItemCreate(RecordMutation):
    """Add an item to the library without a file (upload its versions with REST)."""

    class Arguments:
        input = CollateralItemInput(required=True)

    item = graphene.Field(CollateralItemType)
    errors = graphene.List(graphene.NonNull(error_type("CollateralItemCreate")), required=True)

    module = COLLATERAL_ITEM.module
    permission = COLLATERAL_ITEM.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        values = item_values(data["input"])
        values.setdefault("title", "")
        return {"item": reloaded(CollateralItemType, info, create_item(by=user, **values))}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"title"})


class CollateralItemUpdate(RecordMutation):
    """Change an item's title, description, category or tags."""

    class Arguments:
        id = graphene.ID(required=True)
        input = CollateralItemInput(required=True)

    item = graphene.Field(CollateralItemType)
    errors = graphene.List(graphene.NonNull(error_type("CollateralItemUpdate")), required=True)

    module = COLLATERAL_ITEM.module
    permission = COLLATERAL_ITEM.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        item = resolve_reference(info, data["id"], CollateralItemType, "id")
        update_item(item, by=user, **item_values(data["input"]))
        return {"item": reloaded(CollateralItemType, info, item)}


class CollateralItemArchive(RecordMutation):
    """Archive an item (hidden from the library, its share links stop working) or restore it."""

    class Arguments:
        id = graphene.ID(required=True)
        archived = graphene.Boolean(required=True, description="true: archive; false: restore.")

    item = graphene.Field(CollateralItemType)
    errors = graphene.List(graphene.NonNull(error_type("CollateralItemArchive")), required=True)

    module = COLLATERAL_ITEM.module
    permission = COLLATERAL_ITEM.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        item = resolve_reference(info, data["id"], CollateralItemType, "id")
        archive_item(item, by=user, archived=bool(data["archived"]))
        return {"item": reloaded(CollateralItemType, info, item)}


class CollateralItemDelete(RecordMutation):
    """Delete an item with every version and its file."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the item had.")
    errors = graphene.List(graphene.NonNull(error_type("CollateralItemDelete")), required=True)

    module = COLLATERAL_ITEM.module
    permission = COLLATERAL_ITEM.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_item(resolve_reference(info, data["id"], CollateralItemType, "id"), by=user)
        return {"deleted_id": data["id"]}


class MarketingCollateralMutations(graphene.ObjectType):
    collateral_item_create = CollateralItemCreate.Field()
    collateral_item_update = CollateralItemUpdate.Field()
    collateral_item_archive = CollateralItemArchive.Field()
    collateral_item_delete = CollateralItemDelete.Field()
