"""REST endpoints of marketing e-mails (marketing module): ``/api/v1/marketing-emails/`` from the
entity description, their actions (``test-send``, ``schedule``, ``send``, ``cancel``: ``marketing.send``
and the ``marketing:write`` scope; ``send-unconfirmed``: ``marketing.change`` and that scope;
``preview``: reading); their recipients are in ``recipients.py``.
Writes go through the e-mail and delivery services, which apply the editor's and the send page's
rules."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities import MARKETING_EMAIL
from api.entities.links import api_access
from api.entities.rest import serializer_fields
from api.rest.marketing.campaigns import campaign_field
from api.rest.records import (
    RecordViewSet,
    RelatedByIdField,
    ServiceSerializer,
    acting_user,
)
from identity.visibility import restrict_to_visible
from modules.contacts.models import Contact
from modules.marketing.delivery.models import Send
from modules.marketing.delivery.selectors.report import Figures, figures_for
from modules.marketing.delivery.services.sends import (
    cancel_send,
    schedule_send,
    send_unconfirmed_again,
    start_send,
    workspace_zone,
)
from modules.marketing.email.services.proofs import MAX_ADDRESSES, TooManyTests, preview, send_test
from modules.marketing.models import MarketingEmail, Segment, Topic


def named_summary(record: Any) -> dict[str, Any] | None:
    return None if record is None else {"id": record.pk, "name": record.name}


class FiguresSerializer(serializers.Serializer[Figures]):
    """A send's figures, from the same selector as the send page's report."""

    recipients = serializers.IntegerField(source="total", help_text="Rows of the send, skipped ones included.")
    queued = serializers.IntegerField(help_text="Still to be handed over (an A/B test's rest included).")
    sent = serializers.IntegerField(help_text="Handed over to the mail server.")
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField(source="unique_opens", help_text="Recipients who opened it.")
    opens = serializers.IntegerField(help_text="Opens in all.")
    clicked = serializers.IntegerField(source="unique_clicks", help_text="Recipients who clicked a link.")
    clicks = serializers.IntegerField(help_text="Clicks in all.")
    bounced = serializers.IntegerField()
    unsubscribed = serializers.IntegerField(source="unsubscribes")
    complaints = serializers.IntegerField(source="complained")
    skipped = serializers.IntegerField(help_text="Not sent: no address, suppressed or not subscribed.")
    failed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    unconfirmed = serializers.IntegerField(
        help_text="A worker stopped while handing these over: the server may have them. Not sent again unless asked."
    )


def has_send(email: MarketingEmail) -> bool:
    """Whether the e-mail's send started (the row is selected with the e-mail: no query)."""
    return (
        Send.objects.filter(email_id=email.pk).exists()
        if "send" not in email._state.fields_cache
        else (email._state.fields_cache["send"] is not None)
    )


class FiguresListSerializer(serializers.ListSerializer):  # type: ignore[type-arg]
    """Reads the figures of a whole page in one query before the rows are shown."""

    def to_representation(self, data: Any) -> list[Any]:
        rows = list(data.all() if hasattr(data, "all") else data)
        if "figures" in self.child.fields:  # type: ignore[union-attr]
            context: dict[str, Any] = self.context  # type: ignore[assignment]  # the serializers' shared dict
            context["figures"] = figures_for(row.pk for row in rows if has_send(row))
        return super().to_representation(rows)


class MarketingEmailSerializer(ServiceSerializer):
    """A marketing e-mail; saving calls the e-mail services (drafts only)."""

    entity = MARKETING_EMAIL
    campaign = campaign_field()
    segment = RelatedByIdField(Segment, named_summary)
    topic = RelatedByIdField(Topic, named_summary)
    content = serializers.JSONField(required=False)
    figures = serializers.SerializerMethodField()

    class Meta:
        model = MarketingEmail
        fields = serializer_fields(MARKETING_EMAIL)
        read_only_fields = MARKETING_EMAIL.read_only_names
        list_serializer_class = FiguresListSerializer

    @extend_schema_field(FiguresSerializer(allow_null=True))
    def get_figures(self, email: MarketingEmail) -> dict[str, Any] | None:
        if not has_send(email):
            return None
        known: dict[int, Figures] = self.context.get("figures") or {}
        figures = known.get(email.pk) or figures_for([email.pk])[email.pk]
        return FiguresSerializer(figures).data  # type: ignore[return-value]


class TestSendSerializer(serializers.Serializer[Any]):
    addresses = serializers.ListField(
        child=serializers.EmailField(max_length=254),
        min_length=1,
        max_length=MAX_ADDRESSES,
        help_text="Up to five addresses.",
    )
    contact = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text="Render the merge fields as this contact (a Contact id you may see); their fallbacks otherwise.",
    )  # fmt: skip


class TestSentSerializer(serializers.Serializer[Any]):
    sent = serializers.IntegerField(help_text="How many addresses the test went to.")


class ScheduleSerializer(serializers.Serializer[Any]):
    scheduled_at = serializers.DateTimeField(
        help_text="ISO 8601; without an offset it is read in the workspace's time zone. In the future."
    )


class PreviewSerializer(serializers.Serializer[Any]):
    subject = serializers.CharField()
    html = serializers.CharField()
    text = serializers.CharField()


def visible_contact(request: Request, pk: Any, field: str = "contact") -> Contact | None:
    """The contact ``pk`` names, if the caller may see it (role, visibility and the key's scopes)."""
    if pk in (None, ""):
        return None
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise exceptions.ValidationError({field: [_("Enter a contact id.")]}) from None
    contacts = restrict_to_visible(Contact.objects.select_related("company"), acting_user(request))
    contact = contacts.filter(pk=number).first() if 0 < number < 2**63 else None
    if contact is None or api_access(request).shown(contact) is None:
        raise exceptions.ValidationError({field: [_("No such contact, or not one you can see.")]})
    return contact


def _refused(error: ValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


ACTION_PROBLEMS = {
    400: OpenApiResponse(description="The e-mail is not ready for this, or the input is wrong (the field is named)."),
    403: OpenApiResponse(description="Your role lacks marketing.send, or the key the marketing:write scope."),
    404: OpenApiResponse(description="No such e-mail."),
}


EMAIL_ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    description="Sort by a field (- for descending), ties by id.",
    enum=[value for item in MARKETING_EMAIL.orderings for value in (item.name, f"-{item.name}")],
)


@extend_schema_view(list=extend_schema(parameters=[EMAIL_ORDERING]))
class MarketingEmailViewSet(RecordViewSet):
    """Marketing e-mails in id order: filters and orderings below, ``fields=`` for fewer fields.
    Only a draft can be changed or deleted; ``figures`` are the send's once it started."""

    entity = MARKETING_EMAIL
    serializer_class = MarketingEmailSerializer
    action_permissions: ClassVar[dict[str, str]] = {
        "test_send": "send",
        "schedule": "send",
        "send_now": "send",
        "cancel": "send",
        "send_unconfirmed": "change",
        "preview": "view",
    }

    def get_queryset(self) -> QuerySet[Any]:
        return self.base_queryset()

    def _respond(self, email: MarketingEmail) -> Response:
        return Response(self.get_serializer(self.retrieve_fresh(email.pk)).data)

    @extend_schema(
        request=TestSendSerializer,
        responses={200: TestSentSerializer, **ACTION_PROBLEMS, 429: OpenApiResponse(description="Too many tests.")},
    )
    @action(detail=True, methods=["post"], url_path="test-send")
    def test_send(self, request: Request, pk: str | None = None) -> Response:
        """Send the e-mail, subject marked [Test], to up to five addresses, rendered as a contact you
        choose; a user sends at most 20 tests an hour."""
        email = self.get_object()
        body = TestSendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contact = visible_contact(request, body.validated_data.get("contact"))
        try:
            sent = send_test(email, body.validated_data["addresses"], by=acting_user(request), contact=contact)
        except ValidationError as error:
            raise _refused(error) from error
        except TooManyTests:
            raise exceptions.Throttled(
                detail=_("Too many tests were sent in the last hour. Try again later.")
            ) from None
        except OSError as error:
            message = _("The test could not be sent: %(error)s") % {"error": str(error)[:300]}
            raise exceptions.ValidationError({"addresses": [message]}) from error
        return Response({"sent": sent})

    @extend_schema(request=ScheduleSerializer, responses={200: MarketingEmailSerializer, **ACTION_PROBLEMS})
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: str | None = None) -> Response:
        """Start the send at ``scheduled_at`` (the workspace's time zone when it has no offset)."""
        email = self.get_object()
        with timezone.override(workspace_zone()):
            body = ScheduleSerializer(data=request.data)
            body.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                schedule_send(email, at=body.validated_data["scheduled_at"], by=acting_user(request))
        except ValidationError as error:
            raise _refused(error) from error
        return self._respond(email)

    @extend_schema(request=None, responses={200: MarketingEmailSerializer, **ACTION_PROBLEMS})
    @action(detail=True, methods=["post"], url_path="send")
    def send_now(self, request: Request, pk: str | None = None) -> Response:
        """Send now: refused, with nothing written, when the e-mail has no segment or subject, reaches
        nobody, was sent already or would pass the plan's monthly marketing e-mails."""
        email = self.get_object()
        try:
            start_send(email, by=acting_user(request))
        except ValidationError as error:
            raise _refused(error) from error
        return self._respond(email)

    @extend_schema(request=None, responses={200: MarketingEmailSerializer, **ACTION_PROBLEMS})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a scheduled or running send (messages already in a worker's hands go out)."""
        email = self.get_object()
        try:
            cancel_send(email, by=acting_user(request))
        except ValidationError as error:
            raise _refused(error) from error
        return self._respond(email)

    @extend_schema(request=None, responses={200: MarketingEmailSerializer, **ACTION_PROBLEMS})
    @action(detail=True, methods=["post"], url_path="send-unconfirmed")
    def send_unconfirmed(self, request: Request, pk: str | None = None) -> Response:
        """Send the unconfirmed messages again (``figures.unconfirmed``: a worker stopped while
        handing them over, so the server may have them), each with its own Message-ID; addresses
        suppressed or unsubscribed since are skipped. Refused, naming the field, for a cancelled
        send or when none is unconfirmed."""
        email = self.get_object()
        try:
            send_unconfirmed_again(email, by=acting_user(request))
        except ValidationError as error:
            raise _refused(error) from error
        return self._respond(email)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "contact", OpenApiTypes.INT, description="Render as this contact (a Contact id you may see)."
            )
        ],
        responses={200: PreviewSerializer, 400: OpenApiResponse(description="No such contact you may see.")},
        filters=False,
    )
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        """The e-mail as a contact would get it: subject, HTML and text (links that lead nowhere)."""
        email = self.get_object()
        rendered = preview(email, visible_contact(request, request.query_params.get("contact")))
        return Response({"subject": rendered.subject, "html": rendered.html, "text": rendered.text})
