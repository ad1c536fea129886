"""The GraphQL schema: relay nodes for the tenant's users and the signed-in user."""

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from graphene import relay
from graphene_django import DjangoObjectType
from graphql import GraphQLError

from identity.models import Role, Team, User


def _require_user(info: Any) -> User:
    user = info.context.user
    if not user.is_authenticated:
        raise GraphQLError("Not authenticated.", extensions={"code": "UNAUTHENTICATED"})
    return user


class RoleType(DjangoObjectType):
    class Meta:
        model = Role
        fields = ("key", "name", "record_visibility")


class TeamType(DjangoObjectType):
    class Meta:
        model = Team
        fields = ("id", "name")


class UserNode(DjangoObjectType):
    class Meta:
        model = User
        interfaces = (relay.Node,)
        fields = ("email", "full_name", "role", "teams", "is_active", "locale", "time_zone", "date_joined")
        filter_fields: list[str] = []

    @classmethod
    def get_queryset(cls, queryset: QuerySet[User], info: Any) -> QuerySet[User]:
        _require_user(info)
        return queryset.select_related("role").prefetch_related(
            Prefetch("teams", queryset=Team.objects.order_by("name"))
        )

    @classmethod
    def get_node(cls, info: Any, id: str) -> User | None:  # noqa: A002 (graphene's signature)
        _require_user(info)
        return cls.get_queryset(User.objects.all(), info).filter(pk=id).first()


class UserConnection(relay.Connection):
    class Meta:
        node = UserNode

    total_count = graphene.Int(required=True)

    def resolve_total_count(self, info: Any) -> int:
        return int(self.length)


class Query(graphene.ObjectType):
    node = relay.Node.Field()
    me = graphene.Field(UserNode)
    users = relay.ConnectionField(UserConnection, is_active=graphene.Boolean())

    def resolve_me(self, info: Any) -> User:
        return _require_user(info)

    def resolve_users(self, info: Any, is_active: bool | None = None, **_kwargs: Any) -> QuerySet[User]:
        _require_user(info)
        queryset = UserNode.get_queryset(User.objects.order_by("id"), info)
        if is_active is not None:
            queryset = queryset.filter(is_active=is_active)
        return queryset


schema = graphene.Schema(query=Query)
