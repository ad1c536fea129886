"""Identity's root fields: the signed-in user and the tenant's users."""

from typing import Any

import graphene
from django.db.models import QuerySet

from api.graphql.core import ConnectionField, require_user
from api.graphql.identity.types import UserType
from identity.models import User


class IdentityQueries(graphene.ObjectType):
    """Readable with any credential, whatever its module scopes: ``me`` tells an integration who
    it acts as, and records of every module name their owners as users."""

    me = graphene.Field(UserType, description="The signed-in user.")
    users = ConnectionField(
        UserType,
        is_active=graphene.Boolean(),
        email=graphene.String(description="Exact e-mail address, case-insensitive."),
        description="Users of this tenant, in id order.",
    )

    def resolve_me(self, info: Any) -> User:
        return require_user(info)

    def resolve_users(
        self, info: Any, is_active: bool | None = None, email: str | None = None, **_pagination: Any
    ) -> QuerySet[User]:
        # ConnectionField passes the result through UserType.get_queryset, which
        # checks the caller and adds select_related / prefetch_related.
        require_user(info)
        queryset = User.objects.order_by("id")
        if is_active is not None:
            queryset = queryset.filter(is_active=is_active)
        if email:
            queryset = queryset.filter(email__iexact=email)
        return queryset
