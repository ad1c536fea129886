from django.db.models import Prefetch, QuerySet
from rest_framework import mixins, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.serializers import MeSerializer, UserSerializer
from identity.models import Team, User


@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in user, their permissions and their tenant."""
    return Response(MeSerializer(request.user, context={"request": request}).data)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[User]):
    """Users of this tenant. Filter with ``?is_active=true|false`` and ``?email=`` (exact)."""

    serializer_class = UserSerializer

    def get_queryset(self) -> QuerySet[User]:
        queryset = User.objects.select_related("role").prefetch_related(
            Prefetch("teams", queryset=Team.objects.order_by("name"))
        ).order_by("id")
        params = self.request.query_params
        if "is_active" in params:
            queryset = queryset.filter(is_active=params["is_active"].lower() in {"1", "true", "yes"})
        if params.get("email"):
            queryset = queryset.filter(email__iexact=params["email"])
        return queryset
