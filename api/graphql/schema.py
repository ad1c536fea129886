"""The GraphQL schema: each module contributes its ``<Module>Queries``, merged into one root."""

import graphene

from api.graphql.core import Node
from api.graphql.identity.queries import IdentityQueries


class Query(IdentityQueries, graphene.ObjectType):
    node = Node.Field()


schema = graphene.Schema(query=Query)
