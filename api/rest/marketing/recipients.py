"""REST list of the recipients of marketing e-mails' sends, ``/api/v1/marketing-email-recipients/``,
from ``api.entities.marketing_recipients``: read only (the send engine writes them), in id order
or by ``?ordering=``, with ``?email=``, ``?status=``, ``?variant=``, ``?address=``,
``?sent_after=`` and ``?fields=``. ``contact`` is null when you may not see the contact."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.entities.marketing_recipients import MARKETING_EMAIL_RECIPIENT
from api.rest.contacts.serializers import contact_summary
from api.rest.marketing.consent import MarketingListViewSet, SparseFieldsMixin
from api.rest.records import LinkRuleMixin
from modules.marketing.delivery.choices import RecipientState, SkipReason
from modules.marketing.delivery.models import Recipient


class RecipientSerializer(SparseFieldsMixin, LinkRuleMixin, serializers.ModelSerializer[Recipient]):
    """One recipient of a send: where the message is and what they did with it."""

    status = serializers.CharField(source="state", read_only=True, help_text=", ".join(RecipientState.values))
    contact = serializers.SerializerMethodField()
    clicked_at = serializers.DateTimeField(source="first_click_at", read_only=True, allow_null=True)
    skip_reason = serializers.SerializerMethodField()

    class Meta:
        model = Recipient
        fields = MARKETING_EMAIL_RECIPIENT.field_names
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}},
            "required": ["id", "full_name"],
        }
    )
    def get_contact(self, recipient: Recipient) -> dict[str, Any] | None:
        return contact_summary(recipient.contact)

    @extend_schema_field({"type": "string", "nullable": True, "enum": [*SkipReason.values, None]})
    def get_skip_reason(self, recipient: Recipient) -> str | None:
        """Why the recipient was not written to (no address, suppressed, not subscribed); null when sent."""
        return recipient.skip_reason or None


class RecipientViewSet(MarketingListViewSet):
    """The recipients of the e-mails' sends in id order: ``?email=<id>`` for one e-mail's,
    ``?status=`` for one state. ``contact`` is null when you may not see the contact."""

    entity = MARKETING_EMAIL_RECIPIENT
    serializer_class = RecipientSerializer

    def get_queryset(self) -> QuerySet[Recipient]:
        return Recipient.objects.select_related("contact").order_by("id")
