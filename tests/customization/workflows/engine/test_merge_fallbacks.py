"""Merge fields take a fallback for an empty value; without one an empty field stays empty, and
scopes a renderer was not given are left as they are."""

from __future__ import annotations

from customization.workflows.engine.context import merge_values, render
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture


def test_a_fallback_fills_an_empty_or_unknown_field_only(alpha: TenantFixture) -> None:
    with alpha.active():
        named = ContactFactory(first_name="Ana", job_title="")
        values = merge_values(named, "contact")

        text = render(
            'Hi {{ record.first_name | "there" }} ({{record.job_title|"no title"}}), '
            '{{ record.nothing }}{{ owner.first_name | "" }}{{ contact.first_name }}',
            values,
        )

    assert text == "Hi Ana (no title), {{ contact.first_name }}"
