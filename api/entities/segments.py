"""Segments and static lists (marketing module). Every role with ``marketing.view`` sees every
segment, as on the pages; a segment's members are a nested list (REST ``<id>/members/``, GraphQL
``members``) whose contacts follow the link rule."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    by_id,
    choice,
    orderings,
    relation,
    writable,
)
from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment
from modules.marketing.segments.services import create_segment, delete_segment, update_segment

SEGMENT = EntityDescription(
    name="segment",
    resource="segments",
    model=Segment,
    module="marketing",
    owner_field="",
    graphql_type="Segment",
    fields=(
        ID,
        writable("name", "Unique in the workspace."),
        writable("description"),
        writable("kind", "dynamic (members follow the rules) or static (a list); set on creation."),
        writable(
            "rules",
            'A dynamic segment\'s rules: {"match": "all" | "any", "conditions": [...]}, groups nesting '
            "conditions; errors name the part's path (rules.conditions[1].value). Empty for a static list.",
        ),
        relation("owner", "The user responsible for the segment."),
        Field("member_count", description="How many contacts are in it (kept current as contacts change)."),
        Field("evaluated_at", description="When the rules were last evaluated over every contact."),
        *TIMESTAMPS,
    ),
    filters=(
        choice("kind", SegmentKind),
        by_id("owner", "User", "Segments of this owner (a User id)."),
        by_id(
            "contact",
            "Contact",
            "The segments this contact is in (a Contact id you can see).",
            field="memberships__contact",
        ),
        UPDATED_AFTER,
    ),
    orderings=orderings("name", "member_count", "evaluated_at", "created_at", "updated_at"),
    create=create_segment,
    update=update_segment,
    delete=delete_segment,
)
