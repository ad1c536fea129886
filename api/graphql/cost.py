"""What one GraphQL operation may ask of the database, checked with its variables before it runs.

**Cost** is the number of records an operation can return: each connection counts its page size
(``first``, else ``last``, else the largest page, since that is what it returns), times the page
sizes of the connections it is nested in; aliases and fields add up. Depth and alias limits
(``api.graphql.limits``) do not bound this alone: ten aliases of a hundred contacts with a
hundred timeline entries each stay within both and return 101,000 records.

**Text arguments** of queries are bounded like REST's query parameters (``api.input_limits``):
a search of a megabyte of words would keep the database busy long after the client gave up.
Mutation inputs are bounded by the fields they write instead.

Both run after graphql-core's validation, so the document is known to be well-formed: fields
exist, fragments are defined and acyclic, and variables have their declared types.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from graphene_django.settings import graphene_settings
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
)

from api.input_limits import too_long_message

MAX_COST = 10_000  # records one operation may return: a hundred records with a hundred entries each


def is_connection(graphql_type: Any) -> bool:
    """A relay connection: an object type with ``edges`` and ``pageInfo``."""
    return isinstance(graphql_type, GraphQLObjectType) and {"edges", "pageInfo"} <= set(graphql_type.fields)


class CostCounter:
    """The cost of an operation of ``document`` given its ``variables`` (see the module's docstring)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.fragment_costs: dict[str, int] = {}
        self.default_page = graphene_settings.RELAY_CONNECTION_MAX_LIMIT or 100

    def operation_cost(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self.selection_cost(operation.selection_set, root)

    def selection_cost(self, selection_set: SelectionSetNode | None, parent: Any) -> int:
        """Records returned per one ``parent``: the cost is linear in the parents' number, so a
        fragment's cost is counted once per fragment whatever the page it sits in."""
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment_cost(selection.name.value)
        return total

    def fragment_cost(self, name: str) -> int:
        if name not in self.fragment_costs:
            fragment = self.fragments[name]
            self.fragment_costs[name] = 0  # validation has refused cycles; this only guards recursion
            target = self.schema.get_type(fragment.type_condition.name.value)
            self.fragment_costs[name] = self.selection_cost(fragment.selection_set, target)
        return self.fragment_costs[name]

    def field_cost(self, node: FieldNode, parent: Any) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:  # __typename and introspection fields
            return 0
        field_type = get_named_type(definition.type)
        if not is_connection(field_type):
            return self.selection_cost(node.selection_set, field_type)
        page = self.page_size(node.arguments)
        return page + page * self.selection_cost(node.selection_set, field_type)

    def page_size(self, arguments: tuple[ArgumentNode, ...] | list[ArgumentNode]) -> int:
        given = {argument.name.value: self.int_value(argument.value) for argument in arguments}
        for name in ("first", "last"):
            value = given.get(name)
            if value is not None:
                return max(value, 0)
        return self.default_page

    def int_value(self, value: ValueNode) -> int | None:
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            given = self.variables.get(value.name.value)
            return given if isinstance(given, int) and not isinstance(given, bool) else None
        return None


def cost_error(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: dict[str, Any] | None
) -> GraphQLError | None:
    """The error refusing ``operation`` when it may return more than MAX_COST records, else None."""
    cost = CostCounter(schema, document, variables).operation_cost(operation)
    if cost <= MAX_COST:
        return None
    message = _(
        "This operation may return %(cost)s records; the limit is %(limit)s. Ask for smaller pages "
        "(first/last) or fewer nested connections."
    ) % {"cost": f"{cost:,}", "limit": f"{MAX_COST:,}"}
    return GraphQLError(message, operation, extensions={"code": "COST_LIMIT_EXCEEDED", "cost": cost})


def text_argument_errors(document: DocumentNode, variables: dict[str, Any] | None) -> list[GraphQLError]:
    """An error for each string argument (given in the document or through a variable) longer
    than its bound, naming the argument."""
    errors: list[GraphQLError] = []
    variables = variables or {}

    def check(name: str, value: Any, node: ArgumentNode) -> None:
        if isinstance(value, list):
            for item in value:
                check(name, item, node)
        elif isinstance(value, dict):
            for item in value.values():
                check(name, item, node)
        elif isinstance(value, str):
            message = too_long_message(name, len(value))
            if message:
                errors.append(GraphQLError(message, node, extensions={"code": "BAD_USER_INPUT", "field": name}))

    def literal(value: ValueNode) -> Any:
        if isinstance(value, StringValueNode):
            return value.value
        if isinstance(value, VariableNode):
            return variables.get(value.name.value)
        if isinstance(value, ListValueNode):
            return [literal(item) for item in value.values]
        if isinstance(value, ObjectValueNode):
            return {field.name.value: literal(field.value) for field in value.fields}
        return None

    def walk(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                for argument in selection.arguments:
                    check(argument.name.value, literal(argument.value), argument)
            if isinstance(selection, FieldNode | InlineFragmentNode):
                walk(selection.selection_set)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            walk(definition.selection_set)
    return errors
