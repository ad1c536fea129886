"""``<record>/<id>/notes/`` on companies, contacts, leads, deals and orders: the record's notes, newest
first in cursor pages (GET, the module's view permission), and writing one (POST, its change
permission and write scope) through the same service as the pages — cleaned HTML, mentions
notified only when the user may see the record, the others listed in ``not_notified``."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.collaboration.common import PersonSerializer, person, subject_of_view
from api.rest.pagination import IdCursorPagination
from modules.collaboration.models import Note
from modules.collaboration.services.notes import create_note


class NotePagination(IdCursorPagination):
    ordering = ("-created_at", "-id")


class NoteSerializer(serializers.ModelSerializer[Note]):
    author = serializers.SerializerMethodField()
    mentioned = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = ["id", "body", "author", "mentioned", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, note: Note) -> dict[str, Any] | None:
        return person(note.author)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_mentioned(self, note: Note) -> list[int]:
        return sorted(user.pk for user in note.mentioned.all())


class NoteWriteSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(
        help_text="The note as HTML (bold, italic, lists, links); anything else is removed. "
        'A mention is a link to "#mention-<user id>".',
        trim_whitespace=False,
    )


NOTE_CREATED = inline_serializer(
    name="NoteCreated",
    fields={
        "note": NoteSerializer(),
        "not_notified": PersonSerializer(many=True, help_text="Mentioned users who cannot open the record."),
    },
)


class NotesMixin:
    """Adds the ``notes`` action to a record resource whose entity carries notes."""

    timeline_link: ClassVar[str | None]

    @extend_schema(methods=["GET"], responses=NoteSerializer(many=True), filters=False)
    @extend_schema(methods=["POST"], request=NoteWriteSerializer, responses={201: NOTE_CREATED}, filters=False)
    @action(detail=True, methods=["get", "post"])
    def notes(self, request: Request, pk: str | None = None) -> Response:
        subject = subject_of_view(self)
        record = self.get_object()  # type: ignore[attr-defined]
        if request.method == "POST":
            write = NoteWriteSerializer(data=request.data)
            write.is_valid(raise_exception=True)
            result = create_note(record=record, body=write.validated_data["body"], by=request.user)  # type: ignore[arg-type]
            data = {"note": NoteSerializer(result.note).data, "not_notified": [person(u) for u in result.not_notified]}
            return Response(data, status=status.HTTP_201_CREATED)
        notes = Note.objects.filter(**{subject: record}).select_related("author").prefetch_related("mentioned")
        paginator = NotePagination()
        page = paginator.paginate_queryset(notes, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(NoteSerializer(page, many=True).data)
