"""``<record>/<id>/followers/`` lists who follows a record (its view permission, read scope);
``POST``/``DELETE <record>/<id>/follow/`` makes the caller follow it or stop (seeing the record is
enough, as on the pages, but it is a write: the module's write scope). A follower is told of the
record's changes (``modules.collaboration.consumers``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.collaboration.common import PersonSerializer, person, require_write_scope, subject_of_view
from api.rest.pagination import IdCursorPagination
from modules.collaboration.models import Follow
from modules.collaboration.services import follows

FOLLOWING = inline_serializer(
    name="Following",
    fields={"following": serializers.BooleanField(help_text="Whether the caller now follows the record.")},
)


class FollowerSerializer(serializers.ModelSerializer[Follow]):
    user = serializers.SerializerMethodField()

    class Meta:
        model = Follow
        fields = ["user", "created_at"]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer())
    def get_user(self, row: Follow) -> dict[str, Any] | None:
        return person(row.user)


class FollowersMixin:
    """Adds ``followers`` and ``follow`` to a record resource whose records may be followed."""

    @extend_schema(responses=FollowerSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def followers(self, request: Request, pk: str | None = None) -> Response:
        subject = subject_of_view(self)
        record = self.get_object()  # type: ignore[attr-defined]
        rows = Follow.objects.filter(**{subject: record}).select_related("user")
        paginator = IdCursorPagination()
        page = paginator.paginate_queryset(rows, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(FollowerSerializer(page, many=True).data)

    @extend_schema(methods=["POST"], request=None, responses={200: FOLLOWING}, filters=False)
    @extend_schema(methods=["DELETE"], request=None, responses={204: None}, filters=False)
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request: Request, pk: str | None = None) -> Response:
        subject_of_view(self)
        require_write_scope(request, self.module)  # type: ignore[attr-defined]
        record = self.get_object()  # type: ignore[attr-defined]
        if request.method == "DELETE":
            follows.unfollow(record, user=request.user)  # type: ignore[arg-type]
            return Response(status=status.HTTP_204_NO_CONTENT)
        follows.follow(record, user=request.user)  # type: ignore[arg-type]
        return Response({"following": True})
