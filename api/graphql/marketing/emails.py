"""GraphQL types and root fields of marketing e-mails (marketing module): ``marketingEmails`` (from
the entity description), ``marketingEmailRecipients`` (``recipients.py``, its description's
filters) and
``marketingEmailPreview`` (subject, HTML and text as a chosen contact). The module must be in the
plan and the caller hold ``marketing.view``; a recipient's contact follows the link rule. The
mutations are in ``email_mutations.py``."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from graphene.types.generic import GenericScalar
from graphql import GraphQLError

from api.entities import MARKETING_EMAIL, MARKETING_EMAIL_RECIPIENT
from api.entities.graphql import choice_enum, connection_arguments, describe_fields, filter_records, type_fields
from api.entities.links import api_access
from api.graphql.batching import instances_of
from api.graphql.contacts.types import ContactType
from api.graphql.core import (
    ConnectionField,
    CountableConnection,
    Node,
    choice_field,
    global_id_to_pk,
    id_argument,
    require_module,
    require_permission,
    visible_link,
)
from api.graphql.marketing.consent import TopicType
from api.graphql.marketing.recipients import MarketingEmailRecipientType
from api.graphql.marketing.segments import SegmentType
from api.graphql.marketing.types import CampaignType, MarketingType
from modules.contacts.models import Contact
from modules.marketing.choices import EmailStatus
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.selectors.report import Figures, figures_for
from modules.marketing.email.services.proofs import preview
from modules.marketing.models import MarketingEmail
from modules.marketing.selectors.campaigns import visible_campaigns

EmailStatusEnum = choice_enum(EmailStatus, "Where a marketing e-mail is; only a draft changes.")


def marketing_rows(info: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    require_module(info, "marketing")
    require_permission(info, "marketing.view")
    return queryset


class MarketingEmailFigures(graphene.ObjectType):
    """A send's figures, from the same selector as the send page's report."""

    recipients = graphene.Int(required=True, description="Rows of the send, skipped ones included.")
    queued = graphene.Int(required=True, description="Still to be handed over.")
    sent = graphene.Int(required=True, description="Handed over to the mail server.")
    delivered = graphene.Int(required=True)
    opened = graphene.Int(required=True, description="Recipients who opened it.")
    opens = graphene.Int(required=True, description="Opens in all.")
    clicked = graphene.Int(required=True, description="Recipients who clicked a link.")
    clicks = graphene.Int(required=True, description="Clicks in all.")
    bounced = graphene.Int(required=True)
    unsubscribed = graphene.Int(required=True)
    complaints = graphene.Int(required=True)
    skipped = graphene.Int(required=True, description="Not sent: no address, suppressed or not subscribed.")
    failed = graphene.Int(required=True)
    cancelled = graphene.Int(required=True)
    unconfirmed = graphene.Int(
        required=True,
        description="A worker stopped while handing these over: the server may have them. Not sent again unless asked.",
    )


def figures_output(figures: Figures) -> dict[str, int]:
    return {
        "recipients": figures.total, "queued": figures.queued + figures.held, "sent": figures.sent,
        "delivered": figures.delivered, "opened": figures.unique_opens, "opens": figures.opens,
        "clicked": figures.unique_clicks, "clicks": figures.clicks, "bounced": figures.bounced,
        "unsubscribed": figures.unsubscribes, "complaints": figures.complained, "skipped": figures.skipped,
        "failed": figures.failed, "cancelled": figures.cancelled, "unconfirmed": figures.unconfirmed,
    }  # fmt: skip


def _started(email: MarketingEmail) -> bool:
    cache = email._state.fields_cache
    return cache["send"] is not None if "send" in cache else Send.objects.filter(email_id=email.pk).exists()


class MarketingEmailType(MarketingType):
    """A marketing e-mail: content blocks, audience, schedule, A/B subject test and the send's figures."""

    status = choice_field(EmailStatusEnum, "status")
    campaign = graphene.Field(CampaignType)
    segment = graphene.Field(SegmentType, description="The segment the e-mail goes to.")
    topic = graphene.Field(TopicType, description="The subscription topic: only its subscribers get the e-mail.")
    content = GenericScalar(required=True)
    figures = graphene.Field(MarketingEmailFigures)

    class Meta:
        model = MarketingEmail
        name = MARKETING_EMAIL.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(MARKETING_EMAIL)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[MarketingEmail], info: Any) -> QuerySet[MarketingEmail]:
        user = info.context.user
        return (
            marketing_rows(info, queryset)
            .select_related("segment", "topic", "send")
            .prefetch_related(Prefetch("campaign", queryset=visible_campaigns(user)))
        )

    @staticmethod
    def resolve_campaign(root: MarketingEmail, info: Any) -> Any:
        return visible_link(root, info, "campaign", CampaignType)

    @staticmethod
    def resolve_figures(root: MarketingEmail, info: Any) -> dict[str, int] | None:
        """Null before the send started; read for every e-mail of the operation in one query."""
        if not _started(root):
            return None
        known: dict[int, Figures] | None = getattr(root, "_figures", None)
        if known is None:
            others: list[Any] = instances_of(info, MarketingEmail)
            group = [email for email in [root, *others] if _started(email)]
            known = figures_for(email.pk for email in group)
            for email in group:
                email._figures = known  # type: ignore[attr-defined]
        return figures_output(known.get(root.pk) or figures_for([root.pk])[root.pk])


class MarketingEmailPreview(graphene.ObjectType):
    """A marketing e-mail rendered as a contact (links lead nowhere, as in test sends)."""

    subject = graphene.String(required=True)
    html = graphene.String(required=True)
    text = graphene.String(required=True)


def _preview_contact(info: Any, global_id: str | None) -> Contact | None:
    if global_id is None:
        return None
    pk = global_id_to_pk(global_id, "Contact")
    contact = ContactType.get_node(info, str(pk)) if pk is not None else None
    if contact is None or api_access(info.context).shown(contact) is None:
        raise GraphQLError(
            "contact: No such record, or not one you can see.",
            extensions={"code": "BAD_USER_INPUT", "field": "contact"},
        )
    return contact  # type: ignore[no-any-return]


class MarketingEmailQueries(graphene.ObjectType):
    marketing_emails = ConnectionField(
        MarketingEmailType, **connection_arguments(MARKETING_EMAIL), description="Marketing e-mails (marketing module)."
    )
    marketing_email_recipients = ConnectionField(
        MarketingEmailRecipientType,
        **connection_arguments(MARKETING_EMAIL_RECIPIENT),
        description="The recipients of the marketing e-mails' sends (id order unless orderBy).",
    )
    marketing_email_preview = graphene.Field(
        MarketingEmailPreview,
        id=graphene.ID(required=True, description="The e-mail (its global id)."),
        contact=graphene.ID(description="Render as this contact (a Contact id you may see); fallbacks otherwise."),
        description="A marketing e-mail as a contact would get it: subject, HTML and text.",
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission).

    def resolve_marketing_emails(self, info: Any, **args: Any) -> QuerySet[MarketingEmail]:
        return filter_records(MARKETING_EMAIL, MarketingEmail.objects.all(), args)

    def resolve_marketing_email_recipients(self, info: Any, **args: Any) -> QuerySet[Recipient]:
        return filter_records(MARKETING_EMAIL_RECIPIENT, Recipient.objects.all(), args)

    def resolve_marketing_email_preview(self, info: Any, id: str, contact: str | None = None) -> dict[str, str]:
        queryset = MarketingEmailType.get_queryset(MarketingEmail.objects.all(), info)
        email = queryset.filter(pk=id_argument(id, "MarketingEmail", "id")).first()
        if email is None:
            raise GraphQLError("id: No such record.", extensions={"code": "NOT_FOUND", "field": "id"})
        rendered = preview(email, _preview_contact(info, contact))
        return {"subject": rendered.subject, "html": rendered.html, "text": rendered.text}


describe_fields(MarketingEmailType, MARKETING_EMAIL)
