"""Warehouse exports over REST (analytics module): list them, start one, read one, download its zip
of Parquet files (docs/warehouse-export.md).

The caller's user needs what the page needs (``analytics.view``, ``settings.manage_tenant`` and
``data.export``: an administrator), and the credential ``analytics:read`` (``analytics:write`` to
start one) plus the read scope of every module whose records the export holds (contacts, sales,
activities, as the plan has them): a key that may not read deals does not download them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth.credentials import credential_of, missing_scope_message, scope_allows
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS, acting_user, user_summary
from modules.analytics.warehouse.models import WarehouseExport
from modules.analytics.warehouse.services import PERMISSIONS, start_export
from modules.analytics.warehouse.tables import TABLES
from modules.analytics.warehouse.views import open_export_file
from modules.registry import enabled_module_keys


class WarehousePermission(BasePermission):
    """The administrator's permissions, and the read scope of each module the export reads."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if user is None or not all(user.has_perm(code) for code in PERMISSIONS):
            return False
        credential = credential_of(request)
        enabled = enabled_module_keys(getattr(request, "tenant", None))
        for module in sorted({spec.module for spec in TABLES} & enabled):
            if not scope_allows(credential, module, write=False):
                raise exceptions.PermissionDenied(missing_scope_message(module, write=False))
        return True


class WarehouseExportSerializer(serializers.ModelSerializer[WarehouseExport]):
    created_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = WarehouseExport
        fields = (
            "id", "status", "progress", "tables", "row_count", "file_size", "created_by", "created_at",
            "finished_at", "download_url",
        )  # fmt: skip
        read_only_fields = fields

    def get_created_by(self, export: WarehouseExport) -> dict[str, Any] | None:
        return user_summary(export.created_by)

    def get_download_url(self, export: WarehouseExport) -> str | None:
        if export.status != "done":
            return None
        return reverse("api:analytics-warehouse-export-download", args=[export.pk])


class WarehouseExportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[WarehouseExport]
):
    """The tenant's warehouse exports, newest last in id order; POST starts one (202)."""

    module = "analytics"
    action_permissions: ClassVar[dict[str, str]] = {"download": "view"}
    permission_classes = [*RECORD_PERMISSIONS, WarehousePermission]
    pagination_class = IdCursorPagination
    serializer_class = WarehouseExportSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[WarehouseExport]:
        return WarehouseExport.objects.select_related("created_by").order_by("id")

    @extend_schema(request=None, responses={202: WarehouseExportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.data:
            message = _("An export takes no parameters; send an empty body.")
            raise exceptions.ValidationError({name: [message] for name in sorted(request.data)})
        export = start_export(user=acting_user(request))
        export = self.get_queryset().get(pk=export.pk)
        return Response(self.get_serializer(export).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="analytics_warehouse_exports_download",
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="Zip of Parquet files.")},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The export's zip: one Parquet file per record type and manifest.json; 404 until it is ready."""
        export = self.get_object()
        return open_export_file(export.pk)[1]
