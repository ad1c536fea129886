"""``<record>/<id>/files/`` on companies, contacts, leads, deals and orders: the record's files,
newest first in cursor pages (GET, the module's view permission and read scope); uploading one
(POST ``multipart/form-data`` with a ``file`` field: change permission, write scope); downloading
one (``files/<file_id>/download/``) and removing one (``DELETE files/<file_id>/``: change
permission, write scope, its uploader or an administrator). Every write goes through the same
service as the pages: size and type checks, a timeline entry, an ``attachment.*`` event."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.collaboration.common import PersonSerializer, person, subject_of_view
from api.rest.pagination import IdCursorPagination
from modules.collaboration.models import Attachment
from modules.collaboration.services.attachments import add_attachment, delete_attachment, download_response

FILE_ID = OpenApiParameter("file_id", int, OpenApiParameter.PATH, description="The file's id.")


class FilePagination(IdCursorPagination):
    ordering = ("-created_at", "-id")


class DownloadRenderer(JSONRenderer):
    """Lets a download be asked for as bytes (``Accept: application/octet-stream``); the file
    answers with its own type, and errors still as problem+json."""

    media_type = "application/octet-stream"
    format = "download"


class FileSerializer(serializers.ModelSerializer[Attachment]):
    uploaded_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="Where the file's bytes are served.")

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "created_at", "download_url"]
        read_only_fields = fields
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "content_type": {"help_text": "Found from the file's bytes, not from what the client said."},
            "size": {"help_text": "In bytes."},
        }

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_uploaded_by(self, attachment: Attachment) -> dict[str, Any] | None:
        return person(attachment.uploaded_by)

    @extend_schema_field(serializers.URLField())
    def get_download_url(self, attachment: Attachment) -> str:
        request: Request = self.context["request"]
        return request.build_absolute_uri(f"{self.context['files_path']}{attachment.pk}/download/")


class FileUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="The file (at most ATTACHMENT_MAX_BYTES, 25 MB by default). A name promising PDF, "
        "an image, Office or zip whose bytes are not is refused.",
    )


def _files_path(request: Request) -> str:
    """``/api/v1/<resource>/<id>/files/`` of a request to that path or below it."""
    path = request.path
    return path[: path.index("/files/") + len("/files/")]


class UploadParser(MultiPartParser):
    """multipart/form-data whose unreadable body is an error on ``file`` (the body is read on first
    use, which may be the session's CSRF check, so the error must already name the field)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as error:
            message = _("The upload could not be read: send multipart/form-data with the file in “file”.")
            raise exceptions.ValidationError({"file": [message]}) from error


def _uploaded(request: Request) -> Any:
    """The ``file`` of the multipart body, checked (present, a file, not empty)."""
    # A text field named "file" is passed on too, so the error says it is not a file.
    fields = request.data if isinstance(request.data, dict) else {}
    upload = FileUploadSerializer(data={"file": request.FILES.get("file", fields.get("file"))})
    upload.is_valid(raise_exception=True)
    return upload.validated_data["file"]


class FilesMixin:
    """Adds ``files``, ``file_download`` and ``file_delete`` to a record resource that carries files."""

    @extend_schema(methods=["GET"], responses=FileSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: FileSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[UploadParser])
    def files(self, request: Request, pk: str | None = None) -> Response:
        subject = subject_of_view(self)
        context = {"request": request, "files_path": _files_path(request)}
        record = self.get_object()  # type: ignore[attr-defined]
        if request.method == "POST":
            upload = _uploaded(request)
            attachment = add_attachment(record=record, upload=upload, by=request.user)  # type: ignore[arg-type]
            return Response(FileSerializer(attachment, context=context).data, status=status.HTTP_201_CREATED)
        files = Attachment.objects.filter(**{subject: record}).select_related("uploaded_by")
        paginator = FilePagination()
        page = paginator.paginate_queryset(files, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(FileSerializer(page, many=True, context=context).data)

    @extend_schema(
        parameters=[FILE_ID],
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The bytes, as an attachment named like the file, with the type found from its "
                "bytes (HTML, SVG, XML and scripts as application/octet-stream).",
            )
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<file_id>[0-9]+)/download",
        url_name="file-download",
        renderer_classes=[JSONRenderer, DownloadRenderer],
    )
    def file_download(self, request: Request, pk: str | None = None, file_id: str | None = None) -> FileResponse:
        subject = subject_of_view(self)
        record = self.get_object()  # type: ignore[attr-defined]
        attachment = get_object_or_404(Attachment, pk=file_id, **{subject: record})
        return download_response(attachment)

    @extend_schema(parameters=[FILE_ID], responses={204: None}, filters=False)
    @action(detail=True, methods=["delete"], url_path=r"files/(?P<file_id>[0-9]+)", url_name="file-delete")
    def file_delete(self, request: Request, pk: str | None = None, file_id: str | None = None) -> Response:
        subject = subject_of_view(self)
        record = self.get_object()  # type: ignore[attr-defined]
        attachment = get_object_or_404(Attachment, pk=file_id, **{subject: record})
        delete_attachment(attachment, by=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)
