"""Marketing e-mails (the marketing module): content blocks, audience, schedule, A/B subject test,
tracking switches and, once sent, the send's figures. Only a draft changes; the e-mail services
check the blocks and merge fields as the editor does."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
    writable,
)
from modules.marketing.choices import EmailStatus
from modules.marketing.email.services.emails import create_email, delete_email, update_email
from modules.marketing.models import MarketingEmail

MARKETING_EMAIL = EntityDescription(
    name="marketing_email",
    resource="marketing_emails",
    rest_resource="marketing-emails",
    model=MarketingEmail,
    module="marketing",
    owner_field="",
    graphql_type="MarketingEmail",
    fields=(
        ID,
        writable("name"),
        relation("campaign", "The campaign the e-mail belongs to."),
        relation("segment", "The segment the e-mail goes to."),
        relation("topic", "The subscription topic: only its subscribers get the e-mail."),
        writable("subject", 'May hold merge fields: {{ contact.first_name | default: "there" }}.'),
        writable("preheader", "The preview text mail programs show after the subject."),
        writable("from_name"),
        writable("from_address", "On a verified sending domain."),
        writable("reply_to"),
        writable(
            "content",
            "The blocks in order (heading, text, image, button, divider, spacer, columns, footer), checked"
            " as the editor checks them; errors name the block's path (content[2].href).",
        ),
        writable("subject_b", "The A/B test's second subject."),
        writable("ab_percent", "Share of the recipients in the A/B test (0 for none, at most 50)."),
        writable("ab_wait_hours", "Hours before the subject with more opens goes to the rest (1 to 168)."),
        writable("track_opens"),
        writable("track_clicks"),
        Field("status", description="draft, scheduled, sending, sent or cancelled; only a draft changes."),
        Field("scheduled_at", description="When a scheduled e-mail starts."),
        Field("sent_at", description="When the send finished."),
        Field("ab_winner", description="The A/B test's winning subject (a or b), once chosen."),
        Field("figures", description="The send's figures; null before it starts.", select=("send",)),
        *TIMESTAMPS,
    ),
    filters=(
        choice("status", EmailStatus),
        by_id("campaign", "Campaign", "E-mails of this campaign (a Campaign id)."),
        Filter("segment", FilterKind.NUMBER_ID, field="segment", description="E-mails to this segment (its id)."),
        Filter("topic", FilterKind.NUMBER_ID, field="topic", description="E-mails of this topic (its id)."),
        UPDATED_AFTER,
    ),
    orderings=orderings("name", "scheduled_at", "sent_at", "created_at", "updated_at"),
    create=create_email,
    update=update_email,
    delete=delete_email,
)
