"""``cases/<id>/messages/``: a case's conversation, oldest first in cursor pages (GET: ``service.view``
and ``service:read``), and a new message by the caller as the agent (POST: ``service.change`` and
``service:write``) through ``add_message``, the same writer as the case page. Attachments are listed
with each message; ``messages/<message_id>/attachments/<attachment_id>/download/`` serves one
after the same checks as the case itself (the case visible to the caller, the module in the plan)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.collaboration.files import DownloadRenderer
from api.rest.contacts.serializers import contact_summary
from api.rest.pagination import IdCursorPagination
from api.rest.records import USER_SUMMARY_SCHEMA, LinkRuleMixin, RelatedByIdField, acting_user, user_summary
from modules.collaboration.services.attachments import download_response
from modules.contacts.models import Contact
from modules.service.choices import MessageAuthor, MessageKind
from modules.service.models import CaseAttachment, CaseMessage
from modules.service.services.cases import add_message

MESSAGE_ID = OpenApiParameter("message_id", int, OpenApiParameter.PATH, description="The message's id.")
ATTACHMENT_ID = OpenApiParameter("attachment_id", int, OpenApiParameter.PATH, description="The attachment's id.")


def download_path(request: Any, attachment: CaseAttachment) -> str:
    """The API path that serves ``attachment`` (after the case's permission checks)."""
    message = attachment.message
    return request.build_absolute_uri(
        f"/api/v1/cases/{message.case_id}/messages/{message.pk}/attachments/{attachment.pk}/download/"
    )


class CaseAttachmentSerializer(serializers.ModelSerializer[CaseAttachment]):
    download_url = serializers.SerializerMethodField(help_text="Where the file's bytes are served.")

    class Meta:
        model = CaseAttachment
        fields = ["id", "name", "content_type", "size", "created_at", "download_url"]
        read_only_fields = fields
        extra_kwargs: dict[str, Any] = {"size": {"help_text": "In bytes."}}

    def get_download_url(self, attachment: CaseAttachment) -> str:
        return download_path(self.context["request"], attachment)


class CaseMessageSerializer(LinkRuleMixin, serializers.ModelSerializer[CaseMessage]):
    """A message of a case. Written by the caller as an agent: ``kind`` (a public reply the customer
    sees, or an internal note) and the body as text or HTML (sanitised; gives the text when none is
    sent); the rest is read-only."""

    kind = serializers.ChoiceField(choices=MessageKind.choices, default=MessageKind.REPLY)
    author = serializers.SerializerMethodField()
    from_address = serializers.CharField(read_only=True, help_text="The sender's e-mail address; empty when none.")
    # The customer who wrote it; null when the caller may not open the contact (the link rule).
    contact = RelatedByIdField(Contact, contact_summary, read_only=True)
    attachments = CaseAttachmentSerializer(many=True, read_only=True)
    body_text = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    body_html = serializers.CharField(required=False, allow_blank=True, max_length=200_000)

    class Meta:
        model = CaseMessage
        fields = [
            "id", "kind", "author_kind", "author", "contact", "channel", "from_address", "to_addresses",
            "cc_addresses", "subject", "body_text", "body_html", "message_id", "in_reply_to", "created_at",
            "attachments",
        ]  # fmt: skip
        read_only_fields = [
            "id", "author_kind", "author", "contact", "channel", "from_address", "to_addresses", "cc_addresses",
            "subject", "message_id", "in_reply_to", "created_at", "attachments",
        ]  # fmt: skip

    @extend_schema_field(USER_SUMMARY_SCHEMA)
    def get_author(self, message: CaseMessage) -> dict[str, Any] | None:
        return user_summary(message.author)


class MessagePagination(IdCursorPagination):
    ordering = ("created_at", "id")


def messages_of(case: Any) -> Any:
    return (
        CaseMessage.objects.filter(case=case)
        .select_related("author", "contact")
        .prefetch_related(Prefetch("attachments", queryset=CaseAttachment.objects.order_by("created_at", "id")))
    )


class CaseMessagesMixin:
    """Adds ``messages`` and ``attachment_download`` to the cases resource."""

    @extend_schema(methods=["GET"], responses=CaseMessageSerializer(many=True), filters=False)
    @extend_schema(methods=["POST"], request=CaseMessageSerializer, responses={201: CaseMessageSerializer})
    @action(detail=True, methods=["get", "post"])
    def messages(self, request: Request, pk: str | None = None) -> Response:
        """The case's messages, oldest first; POST adds one by you as the agent."""
        case = self.get_object()  # type: ignore[attr-defined]
        context = {"request": request}
        if request.method == "POST":
            serializer = CaseMessageSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            values = serializer.validated_data
            with transaction.atomic():
                message = add_message(
                    case, by=acting_user(request), author_kind=MessageAuthor.AGENT, kind=values["kind"],
                    body_text=values.get("body_text", ""), body_html=values.get("body_html", ""),
                )  # fmt: skip
            created = messages_of(case).get(pk=message.pk)
            return Response(CaseMessageSerializer(created, context=context).data, status=status.HTTP_201_CREATED)
        paginator = MessagePagination()
        page = paginator.paginate_queryset(messages_of(case), request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(CaseMessageSerializer(page, many=True, context=context).data)

    @extend_schema(
        parameters=[MESSAGE_ID, ATTACHMENT_ID],
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The bytes, as an attachment named like the file (HTML, SVG, XML and scripts as "
                "application/octet-stream).",
            )
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"messages/(?P<message_id>[0-9]+)/attachments/(?P<attachment_id>[0-9]+)/download",
        url_name="attachment-download",
        renderer_classes=[JSONRenderer, DownloadRenderer],
    )
    def attachment_download(
        self, request: Request, pk: str | None = None, message_id: str | None = None, attachment_id: str | None = None
    ) -> FileResponse:
        case = self.get_object()  # type: ignore[attr-defined]
        attachment = get_object_or_404(CaseAttachment, pk=attachment_id, message_id=message_id, message__case=case)
        return download_response(attachment)  # type: ignore[arg-type]
