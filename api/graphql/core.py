"""Building blocks every GraphQL module shares: the relay Node interface, counted connections,
connection fields and the signed-in user."""

from typing import Any

import graphene
from graphene import relay
from graphene_django import DjangoConnectionField
from graphql import GraphQLError
from graphql_relay import from_global_id

from identity.models import User


def require_user(info: Any) -> User:
    """The signed-in user of this request, or a "Not authenticated." error for the field."""
    user = info.context.user
    if user is None or not user.is_authenticated:
        raise GraphQLError("Not authenticated.", extensions={"code": "UNAUTHENTICATED"})
    return user  # type: ignore[no-any-return]


class Node(relay.Node):
    """Relay's Node interface; an id that does not name an object of this tenant resolves to null.

    graphene's own resolver raises plain exceptions for malformed ids and unknown type names, which
    would read as server errors; here they are simply "no such object", like a missing row.
    """

    class Meta:
        name = "Node"
        description = "An object with an ID. An ID that names no object of this tenant resolves to null."

    @classmethod
    def get_node_from_global_id(cls, info: Any, global_id: str, only_type: Any = None) -> Any:
        require_user(info)
        type_name, object_id = from_global_id(global_id) if isinstance(global_id, str) else ("", "")
        graphql_type = info.schema.get_type(type_name) if type_name else None
        graphene_type = getattr(graphql_type, "graphene_type", None)
        if graphene_type is None or cls not in getattr(graphene_type._meta, "interfaces", ()):
            return None
        if only_type and graphene_type is not only_type:
            return None
        return graphene_type.get_node(info, object_id)


class CountableConnection(relay.Connection):
    """A relay connection that also reports how many objects match, across all pages."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="How many objects match, across all pages.")

    def resolve_total_count(self, info: Any) -> int:
        # DjangoConnectionField sets ``length`` from the queryset's COUNT while paginating.
        return int(self.length)


class ConnectionField(DjangoConnectionField):
    """DjangoConnectionField whose pagination checks read as client errors.

    graphene-django checks ``first`` / ``last`` against RELAY_CONNECTION_MAX_LIMIT with asserts
    and graphql-relay rejects negative ones with ValueError; unhandled, both would be reported
    as server errors.
    """

    @classmethod
    def connection_resolver(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().connection_resolver(*args, **kwargs)
        except (AssertionError, ValueError) as error:
            raise GraphQLError(str(error), extensions={"code": "BAD_USER_INPUT"}) from error
