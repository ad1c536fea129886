"""GraphQL type of the recipients of marketing e-mails' sends (``MarketingEmailRecipient``), from
``api.entities.marketing_recipients``; the root connection ``marketingEmailRecipients`` is with
the e-mails' (``emails.py``). Read only; the module must be in the plan and the caller hold
``marketing.view``; a recipient's contact follows the link rule."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet

from api.entities.graphql import choice_enum, describe_fields, type_fields
from api.entities.marketing_recipients import MARKETING_EMAIL_RECIPIENT
from api.graphql.contacts.types import ContactType, visible_contacts
from api.graphql.core import CountableConnection, Node, choice_field, require_module, require_permission, visible_link
from api.graphql.marketing.types import MarketingType
from modules.marketing.delivery.choices import RecipientState, SkipReason, Variant
from modules.marketing.delivery.models import Recipient
from modules.marketing.models import MarketingEmail

RecipientStateEnum = choice_enum(RecipientState, "Where one recipient's message is.")
SkipReasonEnum = choice_enum(SkipReason, "Why a recipient was not written to.")
VariantEnum = choice_enum(Variant, "The subject a recipient got (A/B test).")


class MarketingEmailRecipientType(MarketingType):
    """One recipient of a send: where the message is and what they did with it (no tracking tokens)."""

    # An import string: the e-mail's type lists its recipients' root field beside it.
    email = graphene.Field("api.graphql.marketing.emails.MarketingEmailType", required=True)
    contact = graphene.Field(ContactType, description="Null when you may not see the contact.")
    status = choice_field(RecipientStateEnum, "state")
    variant = choice_field(VariantEnum, "variant")
    skip_reason = choice_field(SkipReasonEnum, "skip_reason", required=False)
    clicked_at = graphene.DateTime(description="The first click.")

    class Meta:
        model = Recipient
        name = MARKETING_EMAIL_RECIPIENT.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(MARKETING_EMAIL_RECIPIENT)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Recipient], info: Any) -> QuerySet[Recipient]:
        require_module(info, "marketing")
        require_permission(info, "marketing.view")
        user = info.context.user
        return queryset.select_related("email").prefetch_related(Prefetch("contact", queryset=visible_contacts(user)))

    @staticmethod
    def resolve_email(root: Recipient, info: Any) -> MarketingEmail:
        return root.email

    @staticmethod
    def resolve_contact(root: Recipient, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_clicked_at(root: Recipient, info: Any) -> Any:
        return root.first_click_at


describe_fields(MarketingEmailRecipientType, MARKETING_EMAIL_RECIPIENT)
