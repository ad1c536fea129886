"""REST endpoints of the sales collateral library (marketing module): ``/api/v1/collateral_items/``
from the entity description (POST creates an item without a file), ``<id>/versions/`` (GET: the
versions, newest first; POST: upload a new current version as multipart/form-data ``file`` and
``note``, checked like the page's uploads), ``<id>/download/`` (the current file) and
``<id>/versions/<version_id>/download/`` (any version), ``<id>/archive/`` (POST ``archived``: true
archives the item — hidden from the library, its share links stop working —, false restores it;
like an edit, ``marketing.change`` and the write scope). ``?tag=`` and ``?live=`` filter the list.
Files are served as attachments, never rendered. Reading needs ``marketing.view`` and the
``marketing:read`` scope (the pages also let ``sales.view`` browse; the API goes by the module's
permissions and scopes)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities import COLLATERAL_ITEM
from api.entities.rest import serializer_fields
from api.rest.collaboration.files import DownloadRenderer, UploadParser
from api.rest.pagination import IdCursorPagination
from api.rest.records import (
    USER_SUMMARY_SCHEMA,
    RecordViewSet,
    ServiceSerializer,
    acting_user,
    user_field,
    user_summary,
)
from modules.marketing.collateral.models import CollateralItem, CollateralVersion
from modules.marketing.collateral.services import (
    add_version,
    archive_item,
    create_item,
    download_response,
    update_item,
)

VERSION_ID = OpenApiParameter("version_id", int, OpenApiParameter.PATH, description="The version's id.")
DOWNLOAD = {
    (200, "*/*"): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="The bytes, as an attachment named like the file (HTML, SVG, XML and scripts as "
        "application/octet-stream).",
    )
}


class CollateralVersionSerializer(serializers.ModelSerializer[CollateralVersion]):
    """One uploaded file of an item; ``content_type`` is found from the bytes."""

    uploaded_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CollateralVersion
        fields = ["id", "number", "filename", "content_type", "size", "note", "uploaded_by", "created_at",
                  "download_url"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(USER_SUMMARY_SCHEMA)
    def get_uploaded_by(self, version: CollateralVersion) -> dict[str, Any] | None:
        return user_summary(version.uploaded_by)

    @extend_schema_field(serializers.URLField())
    def get_download_url(self, version: CollateralVersion) -> str:
        path = f"/api/v1/collateral_items/{version.item_id}/versions/{version.pk}/download/"
        return self.context["request"].build_absolute_uri(path)  # type: ignore[no-any-return]


class VersionUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="The file (at most ATTACHMENT_MAX_BYTES, 25 MB by default). A name promising PDF, an image, "
        "Office or zip whose bytes are not is refused."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="What changed.")


class CollateralItemSerializer(ServiceSerializer):
    entity = COLLATERAL_ITEM
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50, allow_blank=False), required=False, max_length=20
    )
    current_version = CollateralVersionSerializer(read_only=True, allow_null=True)
    created_by = user_field(read_only=True)

    class Meta:
        model = CollateralItem
        fields = serializer_fields(COLLATERAL_ITEM)
        read_only_fields = COLLATERAL_ITEM.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "description": {"required": False},
            "category": {"required": False},
        }

    # An item's tags are its own words, not the CRM's tag records: no ``tags_in`` here.
    def create(self, validated_data: dict[str, Any]) -> CollateralItem:
        return create_item(by=self._by(), **validated_data)

    def update(self, instance: CollateralItem, validated_data: dict[str, Any]) -> CollateralItem:
        return update_item(instance, by=self._by(), **validated_data)


class VersionPagination(IdCursorPagination):
    ordering = ("-number", "-id")


ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    description="Sort by a field (- for descending), ties by id.",
    enum=[value for item in COLLATERAL_ITEM.orderings for value in (item.name, f"-{item.name}")],
)


class ArchiveSerializer(serializers.Serializer[Any]):
    archived = serializers.BooleanField(
        help_text="true: archive the item (hidden from the library, its share links stop working); false: restore it."
    )


@extend_schema_view(list=extend_schema(parameters=[ORDERING]))
class CollateralItemViewSet(RecordViewSet):
    """The collateral library, archived items included (``archived_at``). POST creates an item's
    fields; its file is uploaded to ``<id>/versions/``. DELETE removes the item and every version
    with its file."""

    entity = COLLATERAL_ITEM
    serializer_class = CollateralItemSerializer
    action_permissions: ClassVar[dict[str, str]] = {
        "timeline": "view",
        "download": "view",
        "version_download": "view",
    }

    def get_queryset(self) -> QuerySet[Any]:
        return self.base_queryset()  # every role with marketing.view sees the whole library, as on the pages

    def retrieve_fresh(self, pk: int) -> Any:
        return self.entity.queryset().get(pk=pk)

    @extend_schema(methods=["GET"], responses=CollateralVersionSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: CollateralVersionSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[UploadParser])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        """The item's versions, newest first; POST uploads a new current version."""
        item = self.get_object()
        context = {"request": request}
        if request.method == "POST":
            fields = request.data if hasattr(request.data, "get") else {}
            body = VersionUploadSerializer(
                data={"file": request.FILES.get("file", fields.get("file")), "note": fields.get("note", "")}
            )
            body.is_valid(raise_exception=True)
            with transaction.atomic():
                version = add_version(
                    item, upload=body.validated_data["file"], note=body.validated_data.get("note", ""),
                    by=acting_user(request),
                )  # fmt: skip
            created = CollateralVersion.objects.select_related("uploaded_by").get(pk=version.pk)
            return Response(CollateralVersionSerializer(created, context=context).data, status=status.HTTP_201_CREATED)
        versions = CollateralVersion.objects.filter(item=item).select_related("uploaded_by")
        paginator = VersionPagination()
        page = paginator.paginate_queryset(versions, request, view=self)
        return paginator.get_paginated_response(CollateralVersionSerializer(page, many=True, context=context).data)

    @extend_schema(request=ArchiveSerializer, responses=CollateralItemSerializer, filters=False)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """Archive the item (``archived``: true) or restore it (false)."""
        item = self.get_object()
        body = ArchiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        archive_item(item, by=acting_user(request), archived=body.validated_data["archived"])
        fresh = self.retrieve_fresh(item.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(responses=DOWNLOAD, filters=False)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, DownloadRenderer])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The current version's file (404 while the item has none)."""
        item = self.get_object()
        if item.current_version is None:
            raise Http404
        return download_response(item.current_version)

    @extend_schema(parameters=[VERSION_ID], responses=DOWNLOAD, filters=False)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<version_id>[0-9]+)/download",
        url_name="version-download",
        renderer_classes=[JSONRenderer, DownloadRenderer],
    )
    def version_download(self, request: Request, pk: str | None = None, version_id: str | None = None) -> FileResponse:
        """One version's file."""
        item = self.get_object()
        return download_response(get_object_or_404(CollateralVersion, pk=version_id, item=item))
