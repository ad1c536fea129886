"""GraphQL types of the identity app: users, their role and their teams."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from graphene_django import DjangoObjectType

from api.graphql.core import CountableConnection, Node, require_user
from identity.models import Role, Team, User


class RoleType(DjangoObjectType):
    class Meta:
        model = Role
        name = "Role"
        fields = ("key", "name", "record_visibility")


class TeamType(DjangoObjectType):
    class Meta:
        model = Team
        name = "Team"
        fields = ("id", "name")


class UserType(DjangoObjectType):
    """A user of this tenant. Users of other tenants do not exist here."""

    class Meta:
        model = User
        name = "User"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = ("email", "full_name", "role", "teams", "is_active", "locale", "time_zone", "date_joined")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[User], info: Any) -> QuerySet[User]:
        """Every user queryset goes through here: signed-in callers only, role and teams in bulk."""
        require_user(info)
        return queryset.select_related("role").prefetch_related(
            Prefetch("teams", queryset=Team.objects.order_by("name"))
        )

    @classmethod
    def get_node(cls, info: Any, id: str) -> User | None:  # graphene names it id
        queryset = cls.get_queryset(User.objects.all(), info)
        return queryset.filter(pk=int(id)).first() if id.isdigit() else None
