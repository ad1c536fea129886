"""Bulk writes on a record resource: ``POST <resource>/bulk/`` creates and ``PATCH
<resource>/bulk/`` updates up to ``MAX_ITEMS`` records given as ``{"items": [...]}``.

Each item goes through the resource's own serializer and services (so the same validation, events
and timeline entries as one write). All or nothing: any refused item answers 400 with per-item
errors (``items[3].email``) and nothing is written. An update item names its record by ``id``;
ids of records the user cannot see (or of another tenant) are "not found" for that item.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

MAX_ITEMS = 500
NOT_FOUND = gettext_lazy("No such record, or not one you can see.")
ItemErrors = dict[str, Any] | list[str]


def _items_of(data: Any) -> list[Any]:
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise exceptions.ValidationError({"items": [_("Give the records as a non-empty list under items.")]})
    if len(items) > MAX_ITEMS:
        message = _("At most %(max)d items per request; this one has %(count)d.")
        raise exceptions.ValidationError({"items": [message % {"max": MAX_ITEMS, "count": len(items)}]})
    return items


def _service_errors(error: DjangoValidationError) -> dict[str, Any]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"non_field_errors": error.messages}


def _refuse(errors: list[ItemErrors | None]) -> None:
    if any(errors):
        raise exceptions.ValidationError({"items": [item or {} for item in errors]})


def _record_id(item: Any) -> int | None:
    """The ``id`` an update item names, when it is a whole number (not a boolean or text)."""
    pk = item.get("id") if isinstance(item, dict) else None
    return pk if isinstance(pk, int) and not isinstance(pk, bool) else None


class BulkMixin:
    """The ``bulk`` action of a ``RecordViewSet``."""

    @action(detail=False, methods=["post", "patch"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        """Create (POST) or update (PATCH, each item with its ``id``) up to 500 records, all or nothing."""
        items = _items_of(request.data)
        creating = request.method == "POST"
        with transaction.atomic():
            serializers = self._bulk_serializers(items) if creating else self._bulk_update_serializers(items)
            errors: list[ItemErrors | None] = []
            records = []
            for serializer in serializers:
                if isinstance(serializer, list | dict):
                    errors.append(serializer)
                elif not serializer.is_valid():
                    errors.append(serializer.errors)
                else:
                    # Valid items are written (each in a savepoint) even after a refused one, so the
                    # service's own checks report every item; any error then rolls all of them back.
                    try:
                        with transaction.atomic():
                            records.append(serializer.save())
                        errors.append(None)
                    except DjangoValidationError as error:
                        errors.append(_service_errors(error))
            _refuse(errors)
        view: Any = self
        by_pk = view.entity.queryset().in_bulk([record.pk for record in records])
        data = view.get_serializer([by_pk[record.pk] for record in records], many=True).data
        return Response({"items": data}, status=status.HTTP_201_CREATED if creating else status.HTTP_200_OK)

    def _bulk_serializers(self, items: list[Any]) -> list[Any]:
        view: Any = self
        return [
            view.get_serializer(data=item) if isinstance(item, dict) else [_("Expected an object.")] for item in items
        ]

    def _bulk_update_serializers(self, items: list[Any]) -> list[Any]:
        view: Any = self
        ids = [_record_id(item) for item in items]
        visible = view.get_queryset().in_bulk([pk for pk in ids if pk is not None])
        serializers: list[Any] = []
        for item, pk in zip(items, ids, strict=True):
            if not isinstance(item, dict):
                serializers.append([_("Expected an object.")])
                continue
            instance = visible.get(pk) if pk is not None else None
            if instance is None:
                serializers.append({"id": [str(NOT_FOUND)]})
                continue
            data = {name: value for name, value in item.items() if name != "id"}
            serializers.append(view.get_serializer(instance, data=data, partial=True))
        return serializers
