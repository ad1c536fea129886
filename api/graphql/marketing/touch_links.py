"""``campaignTouches`` on contacts, leads and deals: the field and its resolver, for the record
types to declare (``campaign_touches = campaign_touches_field()``) and inherit
(``CampaignTouchLinks``). The connection type lives with the touches
(``api.graphql.marketing.touches``), which link back to these record types, so it is named here
by its import path and imported when a page is resolved.

While marketing is not in the plan, or the role or the credential may not read it, the field is
null (``api.graphql.link_guard``), like every link to a module the caller may not use."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Model

CONNECTION = "api.graphql.marketing.touches.CampaignTouchConnection"


def campaign_touches_field() -> graphene.relay.ConnectionField:
    return graphene.relay.ConnectionField(
        CONNECTION,
        description="The campaign touches that count for the record, newest first: a contact's or a lead's own; "
        "a deal's on itself and, before its creation, on its contact, its company's contacts and its lead. Only "
        "campaigns you can see; null without the marketing module.",
    )


def _page(subject: str, root: Model, info: Any, args: dict[str, Any]) -> Any:
    from api.graphql.marketing.touches import record_touch_connection

    return record_touch_connection(info, subject, root, args)


class CampaignTouchLinks:
    """The resolver of ``campaignTouches`` on a contact, lead or deal type (by its model's name)."""

    @staticmethod
    def resolve_campaign_touches(root: Model, info: Any, **args: Any) -> Any:
        return _page(root._meta.model_name or "", root, info, args)
