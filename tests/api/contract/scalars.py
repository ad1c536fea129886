"""Strategies for the custom GraphQL scalars, so schemathesis can write a value for every argument.

Without one, an operation whose generated document happens to reach such an argument cannot be
tested at all ("Scalar 'Decimal' is not supported"), and whether it does depends on the example
drawn. Values are ones the scalar itself parses; the field's own rules (range, places) may still
refuse them, with a field error.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from schemathesis.specs.graphql.scalars import CUSTOM_SCALARS, get_extra_scalar_strategies

BUILT_IN = frozenset({"Int", "Float", "String", "Boolean", "ID"})
SAFE_INTEGER = 2**53 - 1
GRAPHQL_INT = 2**31 - 1

# graphene's Decimal reads a string or an integer literal.
DECIMALS = st.decimals(
    min_value=Decimal("-1000000000000"), max_value=Decimal("1000000000000"), places=2, allow_nan=False
).map(str).map(nodes.String) | st.integers(min_value=-GRAPHQL_INT, max_value=GRAPHQL_INT).map(nodes.Int)
# SafeInt: the whole numbers JavaScript reads exactly.
SAFE_INTS = st.integers(min_value=-SAFE_INTEGER, max_value=SAFE_INTEGER).map(nodes.Int)
# graphene's GenericScalar: any JSON-like literal.
GENERIC_LEAVES = (
    st.text(max_size=20).map(nodes.String)
    | st.integers(min_value=-GRAPHQL_INT, max_value=GRAPHQL_INT).map(nodes.Int)
    | st.booleans().map(nodes.Boolean)
)
GENERIC = st.recursive(GENERIC_LEAVES, lambda children: st.lists(children, max_size=3).map(nodes.List), max_leaves=6)

# graphene's JSONString reads a string holding JSON (a report's definition is one, output only).
JSON_STRINGS = (
    st.dictionaries(st.text(max_size=8), st.integers(min_value=0, max_value=9), max_size=3)
    .map(json.dumps)
    .map(nodes.String)
)
STRATEGIES = {"Decimal": DECIMALS, "SafeInt": SAFE_INTS, "GenericScalar": GENERIC, "JSONString": JSON_STRINGS}


def register_scalars() -> None:
    for name, strategy in STRATEGIES.items():
        schemathesis.graphql.scalar(name, strategy)


def scalars_without_strategy(introspection: dict[str, Any]) -> list[str]:
    """The scalars the schema declares that no strategy generates values for."""
    known = BUILT_IN | set(get_extra_scalar_strategies()) | set(CUSTOM_SCALARS)
    declared = {kind["name"] for kind in introspection["data"]["__schema"]["types"] if kind["kind"] == "SCALAR"}
    return sorted(declared - known)
