"""How much one GraphQL request may ask for, on top of graphql-core's standard validation rules.

A document is bounded before it is parsed (length, lexical tokens, comments); each operation is
bounded by depth and by aliases, counted with fragments expanded; a batch by its number of
operations. Introspection is served to signed-in clients only, and its depth is bounded by
graphql-core's recommended MaxIntrospectionDepthRule. Every refusal is a GraphQL error
that says which limit was hit, never a server error.
"""

from collections.abc import Sequence
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    parse,
    specified_rules,
)
from graphql.validation import MaxIntrospectionDepthRule

MAX_SOURCE_LENGTH = 20_000  # characters; GraphiQL's introspection query is about 2,000
MAX_LEXICAL_TOKENS = 3_000  # the introspection query is about 600
MAX_COMMENTS = 200
MAX_DEPTH = 10  # fields nested in fields; introspection is bounded by MaxIntrospectionDepthRule
MAX_ALIASES = 30  # per operation, after expanding fragments: each alias is one more resolver run
MAX_BATCH = 10  # operations in one POSTed list

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})  # __typename stays: clients rely on it


def parse_document(query: str) -> DocumentNode:
    """Parse ``query``, refusing oversized documents before they cost memory or CPU."""
    return parse(
        query,
        max_lexical_tokens=MAX_LEXICAL_TOKENS,
        max_comments=MAX_COMMENTS,
        max_source_length=MAX_SOURCE_LENGTH,
    )


def batch_error(payload: Sequence[Any]) -> str | None:
    """Why a POSTed list of operations is refused, or None when it may run."""
    if not payload:
        return "A batch must contain at least one operation."
    if len(payload) > MAX_BATCH:
        return f"A batch may contain at most {MAX_BATCH} operations; this one has {len(payload)}."
    if not all(isinstance(entry, dict) for entry in payload):
        return "Each operation of a batch must be a JSON object with a query."
    return None


class OperationLimitsRule(ValidationRule):
    """Refuse an operation nested deeper than MAX_DEPTH or using more than MAX_ALIASES aliases."""

    max_depth = MAX_DEPTH
    max_aliases = MAX_ALIASES

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.fragments = {
            definition.name.value: definition
            for definition in context.document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.measured: dict[str, tuple[int, int]] = {}

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> Any:
        depth, aliases = self.measure(node.selection_set, frozenset())
        name = f'Operation "{node.name.value}"' if node.name else "The operation"
        if depth > self.max_depth:
            message = f"{name} is {depth} levels deep; the limit is {self.max_depth}."
            self.report_error(GraphQLError(message, node, extensions={"code": "DEPTH_LIMIT_EXCEEDED"}))
        if aliases > self.max_aliases:
            message = f"{name} uses {aliases} aliases; the limit is {self.max_aliases}."
            self.report_error(GraphQLError(message, node, extensions={"code": "ALIAS_LIMIT_EXCEEDED"}))
        return self.SKIP

    def measure(self, selection_set: SelectionSetNode | None, visiting: frozenset[str]) -> tuple[int, int]:
        """(depth, aliases) of a selection set, fragments expanded; introspection adds no depth.

        Each fragment is measured once (documents that spread fragments inside fragments would
        otherwise take exponential time), and undefined or cyclic spreads count as empty: the
        standard rules KnownFragmentNames and NoFragmentCycles report those. The recursion is
        bounded: graphql-core's ``validate`` aborts documents nested too deeply (through
        fragments too) before any rule runs.
        """
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                child_depth, child_aliases = self.measure(selection.selection_set, visiting)
                if selection.name.value in INTROSPECTION_FIELDS:
                    child_depth = 0
                depth = max(depth, child_depth + 1)
                aliases += child_aliases + (1 if selection.alias else 0)
            elif isinstance(selection, InlineFragmentNode):
                child_depth, child_aliases = self.measure(selection.selection_set, visiting)
                depth, aliases = max(depth, child_depth), aliases + child_aliases
            elif isinstance(selection, FragmentSpreadNode):
                child_depth, child_aliases = self.measure_fragment(selection.name.value, visiting)
                depth, aliases = max(depth, child_depth), aliases + child_aliases
        return depth, aliases

    def measure_fragment(self, name: str, visiting: frozenset[str]) -> tuple[int, int]:
        fragment = self.fragments.get(name)
        if fragment is None or name in visiting:
            return 0, 0
        if name not in self.measured:
            self.measured[name] = self.measure(fragment.selection_set, visiting | {name})
        return self.measured[name]


class SignedInIntrospectionRule(ValidationRule):
    """Refuse ``__schema`` and ``__type``: added to the rules for anonymous callers."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        if node.name.value in INTROSPECTION_FIELDS:
            self.report_error(
                GraphQLError(
                    "Introspection is only available to signed-in clients.",
                    node,
                    extensions={"code": "INTROSPECTION_DISABLED"},
                )
            )


def validation_rules(*, signed_in: bool) -> tuple[type[ASTValidationRule], ...]:
    """graphql-core's standard and recommended rules plus ours. (Rules passed to graphql's
    ``validate`` replace the standard ones, so they are always listed here.)"""
    rules: tuple[type[ASTValidationRule], ...] = (*specified_rules, MaxIntrospectionDepthRule, OperationLimitsRule)
    return rules if signed_in else (*rules, SignedInIntrospectionRule)
