"""Sales collateral (marketing module): library items whose files are versions. The item's fields
are written through both protocols; files are uploaded as versions over REST only
(``<id>/versions/``, multipart) and downloaded there (GraphQL carries no files)."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    orderings,
    relation,
    text_exact,
    writable,
)
from modules.marketing.collateral.models import CollateralItem
from modules.marketing.collateral.services import create_item, delete_item, update_item

COLLATERAL_ITEM = EntityDescription(
    name="collateral_item",
    resource="collateral_items",
    model=CollateralItem,
    module="marketing",
    owner_field="",
    graphql_type="CollateralItem",
    fields=(
        ID,
        writable("title"),
        writable("description"),
        writable("category"),
        writable("tags", "Lower-case words, at most 20 of up to 50 characters."),
        Field(
            "current_version",
            description="The file reps get (null until a first version is uploaded).",
            select=("current_version", "current_version__uploaded_by"),
        ),
        Field("archived_at", description="When the item was archived (hidden from the library); null if live."),
        relation("created_by", "Who added the item.", read_only=True),
        *TIMESTAMPS,
    ),
    filters=(
        text_exact("category", "Items of this category (any case)."),
        Filter(
            "title",
            FilterKind.TEXT,
            field="title",
            lookup="icontains",
            description="Items whose title contains this text (any case).",
        ),
        Filter(
            "tag",
            FilterKind.TEXT,
            field="tags",
            lookup="has_tag",
            description="Items carrying this tag (any case).",
        ),
        Filter(
            "live",
            FilterKind.BOOLEAN,
            field="archived_at",
            lookup="isnull",
            description="true: items in the library; false: archived items.",
        ),
        UPDATED_AFTER,
    ),
    orderings=orderings("title", "category", "created_at", "updated_at"),
    create=create_item,
    update=update_item,
    delete=delete_item,
)
