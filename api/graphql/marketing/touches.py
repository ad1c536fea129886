"""GraphQL of campaign touches (marketing module), from their entity description: the type
``CampaignTouch``, the root connection ``campaignTouches`` and the connection ``campaignTouches``
of contacts, leads and deals (declared with ``api.graphql.marketing.touch_links``).

A touch follows its campaign's visibility (by owner); its contact, lead or deal follows the link
rule. A record's ``campaignTouches`` are those its page's "Campaigns" card lists, newest first: a
contact's or a lead's own, a deal's by the attribution rule
(``modules.marketing.attribution.record_touches``). Their first pages, for every record of that
kind the operation resolved, load in two queries (``record_touch_connection``)."""

from __future__ import annotations

from typing import Any

import graphene
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Func, IntegerField, Model, Prefetch, QuerySet, Subquery
from graphene_django.settings import graphene_settings

from api.entities.graphql import choice_enum, connection_arguments, describe_fields, filter_records, type_fields
from api.entities.touches import CAMPAIGN_TOUCH
from api.graphql.batching import instances_of, operation_state, remember
from api.graphql.contacts.types import ContactType, visible_contacts
from api.graphql.core import ConnectionField, CountableConnection, Node, choice_field, require_user, visible_link
from api.graphql.marketing.types import CampaignPersonLinks, CampaignType, MarketingType, visible_campaign_rows
from api.graphql.pagination import (
    build_connection,
    keyset_connection,
    keyset_ordered,
    order_signature,
    order_terms,
    page_limits,
)
from api.graphql.sales.types import DealType, LeadType, visible_deals, visible_leads
from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.models import Touch
from modules.marketing.attribution.record_touches import outer_record_touches, record_touches
from modules.marketing.selectors.campaigns import visible_campaigns

TouchKindEnum = choice_enum(TouchKind, "How a campaign reached a person or a deal.")
NEWEST_FIRST = ("-occurred_at", "-id")


class CampaignTouchType(CampaignPersonLinks, MarketingType):
    """A campaign reaching one contact, lead or deal: a response, a form submitted, a click."""

    kind = choice_field(TouchKindEnum, "kind")
    campaign = graphene.Field(CampaignType, required=True)
    contact = graphene.Field(ContactType)
    lead = graphene.Field(LeadType)
    deal = graphene.Field(DealType)

    class Meta:
        model = Touch
        name = CAMPAIGN_TOUCH.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(CAMPAIGN_TOUCH)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Touch], info: Any) -> QuerySet[Touch]:
        user = info.context.user
        campaigns = visible_campaign_rows(info)
        return (
            queryset.filter(campaign__in=campaigns.values("pk"))
            .select_related("campaign")
            .prefetch_related(
                Prefetch("contact", queryset=visible_contacts(user)),
                Prefetch("lead", queryset=visible_leads(user)),
                Prefetch("deal", queryset=visible_deals(user)),
            )
        )

    @staticmethod
    def resolve_deal(root: Touch, info: Any) -> Any:
        return visible_link(root, info, "deal", DealType)


describe_fields(CampaignTouchType, CAMPAIGN_TOUCH)
CampaignTouchConnection = CampaignTouchType._meta.connection


class CampaignTouchQueries(graphene.ObjectType):
    campaign_touches = ConnectionField(
        CampaignTouchType,
        **connection_arguments(CAMPAIGN_TOUCH),
        description="Touches of the campaigns you can see (marketing module): filter by campaign, kind, the "
        "contact, lead or deal they were recorded on, and time. A record's influencing touches are its own "
        "campaignTouches.",
    )

    def resolve_campaign_touches(self, info: Any, **args: Any) -> QuerySet[Touch]:
        # The queryset passes through the type's get_queryset (module, permission, visibility).
        return filter_records(CAMPAIGN_TOUCH, Touch.objects.all(), args)


def _visible_touches(info: Any) -> QuerySet[Touch]:
    return Touch.objects.filter(campaign__in=visible_campaigns(require_user(info)).values("pk"))


def record_touch_connection(info: Any, subject: str, record: Model, args: dict[str, Any]) -> Any:
    """The page of ``record``'s campaign touches (``subject``: contact, lead or deal), newest first.

    The link guard has already checked the module, the role and the credential's scope. A first
    page is read for every record of that kind this operation resolved at once: one query numbers
    each record's newest touches (an array subquery per record, by the same rule as the record's
    card), one more loads them; ``totalCount`` adds one counting query for all of them. A page
    after or before a cursor is read for its own record."""
    max_limit = graphene_settings.RELAY_CONNECTION_MAX_LIMIT
    page_limits(args, max_limit)
    visible = _visible_touches(info)
    ordered = visible.select_related("campaign").order_by(*NEWEST_FIRST)
    if any(args.get(name) is not None for name in ("after", "before", "offset", "last")):
        own = ordered.filter(pk__in=record_touches(subject, record).values("pk"))
        return keyset_connection(CampaignTouchConnection, own, dict(args), max_limit)
    limit: int = args["first"] if args.get("first") is not None else max_limit
    model = type(record)
    parents = sorted({record.pk, *(parent.pk for parent in instances_of(info, model))})
    terms = order_terms(ordered)
    keyed = keyset_ordered(ordered, terms)
    signature = order_signature(keyed, terms)
    pages: dict[Any, dict[str, Any]] = operation_state(info).setdefault("campaign_touch_pages", {})
    key = (subject, limit, signature, tuple(parents))
    if key not in pages:
        newest = visible.filter(outer_record_touches(subject)).order_by(*NEWEST_FIRST).values("pk")[: limit + 1]
        found = model._default_manager.filter(pk__in=parents).annotate(touch_ids=ArraySubquery(newest))
        ids_by_parent: dict[int, list[int]] = dict(found.values_list("pk", "touch_ids"))
        rows = {row.pk: row for row in keyed.filter(pk__in={pk for ids in ids_by_parent.values() for pk in ids})}
        by_parent = {
            parent: sorted(
                (rows[pk] for pk in ids_by_parent.get(parent, []) if pk in rows),
                key=lambda row: (row.occurred_at, row.pk),
                reverse=True,
            )
            for parent in parents
        }
        pages[key] = {"rows": by_parent, "counts": None}
        # Every page's touches at once, so their links (contact, lead, deal) load in one batch.
        remember(info, [row for rows in by_parent.values() for row in rows[:limit]])
    page = pages[key]
    rows_of_record: list[Touch] = page["rows"].get(record.pk, [])

    def count() -> int:
        if page["counts"] is None:
            counted = (
                visible.filter(outer_record_touches(subject))
                .order_by()
                .annotate(touches=Func(F("pk"), function="COUNT", output_field=IntegerField()))
                .values("touches")
            )
            totals = model._default_manager.filter(pk__in=parents).annotate(
                touches=Subquery(counted, output_field=IntegerField())
            )
            page["counts"] = dict(totals.values_list("pk", "touches"))
        return int(page["counts"].get(record.pk) or 0)

    has_next = len(rows_of_record) > limit
    return build_connection(CampaignTouchConnection, rows_of_record[:limit], terms, signature, False, has_next, count)
