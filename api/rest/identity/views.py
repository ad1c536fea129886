"""REST endpoints of the identity app: ``/api/v1/me`` and the read-only users resource."""

from typing import cast

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.identity.serializers import MeSerializer, UserFilterSerializer, UserSerializer
from api.rest.pagination import IdCursorPagination
from identity.models import Team, User


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in user, what this credential may do and their tenant. Any credential may ask,
    whatever its scopes: integrations call it to check their key or token."""
    user = cast(User, request.user)  # IsAuthenticated (the default permission) let it through
    return Response(MeSerializer(user, context={"request": request}).data)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[User]):
    """Users of this tenant, in id order. Filter with ``?is_active=true|false`` and ``?email=``
    (exact, case-insensitive); page with ``?page_size=`` and the ``next`` / ``previous`` links.

    Readable with any credential, whatever its module scopes: records of every module name
    their owners by user id, so an integration needs the directory to read them."""

    serializer_class = UserSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self) -> QuerySet[User]:
        filters = UserFilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        queryset = (
            User.objects.select_related("role")
            .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
            .order_by("id")
        )
        if "is_active" in filters.validated_data:
            queryset = queryset.filter(is_active=filters.validated_data["is_active"])
        if "email" in filters.validated_data:
            queryset = queryset.filter(email__iexact=filters.validated_data["email"])
        return queryset
