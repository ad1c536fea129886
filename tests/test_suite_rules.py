"""The suite's own rules hold for the tests they judge."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.suite_rules import raised_example_budgets


@settings(max_examples=101)
@given(number=st.integers())
def _raised(number: int) -> None:
    pass


@settings(max_examples=20)
@given(number=st.integers())
def _lowered(number: int) -> None:
    pass


@given(number=st.integers())
def _profile(number: int) -> None:
    pass


def _plain() -> None:
    pass


def _items(**functions: Any) -> list[pytest.Item]:
    return cast(list[pytest.Item], [SimpleNamespace(nodeid=name, obj=function) for name, function in functions.items()])


def test_only_a_test_raising_max_examples_above_the_profile_is_named():
    items = _items(raised=_raised, lowered=_lowered, profile=_profile, plain=_plain)

    assert raised_example_budgets(items, 100) == ["raised (max_examples=101)"]
