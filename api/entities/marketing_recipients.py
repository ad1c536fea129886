"""The recipients of marketing e-mails' sends (marketing module): one row per contact of a send,
where its message is (queued, sent, delivered, opened…, or skipped and why) and what the
recipient did with it. Rows are written by the send engine alone, so the type is read only; the
Message-ID, the claim and the tracking tokens are never shown. The contact follows the link rule."""

from __future__ import annotations

from api.entities.base import (
    ID,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
)
from modules.marketing.delivery.choices import RecipientState, Variant
from modules.marketing.delivery.models import Recipient

MARKETING_EMAIL_RECIPIENT = EntityDescription(
    name="marketing_email_recipient",
    resource="marketing_email_recipients",
    rest_resource="marketing-email-recipients",
    model=Recipient,
    module="marketing",
    owner_field="",
    graphql_type="MarketingEmailRecipient",
    fields=(
        ID,
        relation("email", "The marketing e-mail sent.", read_only=True),
        relation("contact", "The contact; null when you may not see it.", read_only=True),
        Field("address", description="The address the message went to."),
        Field("variant", description="The subject it got: a, or b in an A/B test."),
        # The model's ``state``, named as every other record's status.
        Field("status", description=f"Where the message is: {', '.join(RecipientState.values)}."),
        Field("skip_reason", description="Why it was not sent (no address, suppressed, not subscribed); else null."),
        Field("attempts", description="Hand-overs tried (retried after a temporary refusal)."),
        Field("sent_at", description="When the mail server accepted it."),
        Field("delivered_at", description="When the provider reported it delivered."),
        Field("opened_at", description="The first open."),
        # The model's ``first_click_at``.
        Field("clicked_at", description="The first click."),
        Field("opens", description="Opens in all."),
        Field("clicks", description="Clicks in all."),
        Field("error", description="The server's last refusal, if any."),
    ),
    filters=(
        by_id("email", "MarketingEmail", "Recipients of this e-mail (a MarketingEmail id)."),
        Filter("status", FilterKind.CHOICE, field="state", choices=RecipientState, description="In this state."),
        choice("variant", Variant, "Recipients who got this subject."),
        Filter(
            "address",
            FilterKind.TEXT,
            field="address",
            lookup="iexact",
            description="The recipient at this address (any case).",
        ),
        Filter(
            "sent_after",
            FilterKind.DATETIME,
            field="sent_at",
            lookup="gte",
            description="Sent at or after this time (ISO 8601).",
        ),
    ),
    orderings=orderings("sent_at", "opened_at", "opens", "clicks"),
)
