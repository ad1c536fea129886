"""How the record resources are documented in OpenAPI: the ``fields`` parameter of their list and
detail operations, and the bodies of their ``bulk/`` operations."""

from __future__ import annotations

from functools import cache
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.rest.bulk import MAX_ITEMS
from api.rest.sparse import PARAMETER

FIELDS_HELP = (
    "Comma-separated fields to return, e.g. id,name,custom.tier (custom: every custom field). "
    "Every field when not given; an unknown name is a 400 naming fields."
)


@cache
def bulk_request(
    serializer_class: type[serializers.Serializer[Any]], update: bool
) -> type[serializers.Serializer[Any]]:
    """``{"items": [...]}`` of new records, or of changes each naming its record's ``id``."""
    model_name = serializer_class.Meta.model.__name__  # type: ignore[attr-defined]
    item_class: type[serializers.Serializer[Any]] = serializer_class
    if update:
        item_class = type(
            f"{model_name}BulkUpdateItem",
            (serializer_class,),
            {"id": serializers.IntegerField(help_text="The record to change."), "__module__": __name__},
        )
    name = f"{model_name}Bulk{'Update' if update else 'Create'}"
    items = serializers.ListField(child=item_class(), max_length=MAX_ITEMS, min_length=1)
    return type(name, (serializers.Serializer,), {"items": items, "__module__": __name__})


@cache
def bulk_response(serializer_class: type[serializers.Serializer[Any]]) -> type[serializers.Serializer[Any]]:
    """``{"items": [...]}``: the created or updated records, in the order given."""
    model_name = serializer_class.Meta.model.__name__  # type: ignore[attr-defined]
    items = serializer_class(many=True, read_only=True)
    return type(f"{model_name}BulkResult", (serializers.Serializer,), {"items": items, "__module__": __name__})


class RecordAutoSchema(AutoSchema):
    """drf-spectacular's schema of a ``RecordViewSet``."""

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        if self.method == "GET" and getattr(self.view, "action", None) in ("list", "retrieve"):
            parameters.append(
                OpenApiParameter(PARAMETER, str, OpenApiParameter.QUERY, description=FIELDS_HELP, explode=False)
            )
        return parameters

    def _is_bulk(self) -> bool:
        return getattr(self.view, "action", None) == "bulk"

    def get_request_serializer(self) -> Any:
        if self._is_bulk():
            return bulk_request(self.view.get_serializer_class(), self.method == "PATCH")  # type: ignore[attr-defined]
        return super().get_request_serializer()

    def get_response_serializers(self) -> Any:
        if self._is_bulk():
            # A bulk create answers 201 like a single create; a bulk update 200.
            status_code = "200" if self.method == "PATCH" else "201"
            return {status_code: bulk_response(self.view.get_serializer_class())}  # type: ignore[attr-defined]
        return super().get_response_serializers()

    def get_filter_backends(self) -> list[Any]:
        return [] if self._is_bulk() else super().get_filter_backends()  # type: ignore[no-any-return]
