"""Every root field of each tenant's GraphQL schema, driven by schemathesis with a few generated
documents: no 5xx, and every response a well-formed GraphQL result for the schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from graphql import get_introspection_query
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.contract.conftest import (
    InProcessApp,
    api_key_headers,
    carries_beta_fields,
    define_alpha_fields,
    define_beta_fields,
    fetch_json,
    first_failures,
    report,
)
from tests.api.contract.scalars import register_scalars, scalars_without_strategy
from tests.tenancy import TenantFixture

register_scalars()

# No 5xx, and every response a well-formed result for the schema. Not "positive data accepted":
# an ID or cursor argument takes any string, and refusing one that is not ours with a field error
# is the right answer.
CHECKS = [not_a_server_error, response_schema_conformance]


def contract_failures(
    fixture: TenantFixture, app: InProcessApp, *, only_beta_records: bool = False
) -> tuple[int, dict[str, str]]:
    headers = api_key_headers(fixture)
    introspection = fetch_json(fixture, headers, "post", "/graphql/", query=get_introspection_query())
    schema = schemathesis.graphql.from_dict(introspection)
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    if only_beta_records:
        operations = [operation for operation in operations if carries_beta_fields(operation.label)]

    def call(case: Any) -> None:
        case.call_and_validate(base_url=f"http://{fixture.host}/graphql/", headers=headers, checks=CHECKS)

    failures = first_failures(operations, call, app)
    if unknown := scalars_without_strategy(introspection):
        failures["schema"] = f"no strategy for the scalars {unknown} (tests/api/contract/scalars.py)"
    return len(operations), failures


# Every field of the schema, called for real: over a minute on a quiet machine, several times that
# on a loaded one with two processes. A hang still ends the test.
@pytest.mark.timeout(900)
def test_alphas_graphql_schema_holds_for_every_field(alpha: TenantFixture, wsgi_app: InProcessApp):
    define_alpha_fields(alpha)

    operations, failures = contract_failures(alpha, wsgi_app)

    assert operations >= 25
    unexpected = report(failures)
    assert not unexpected, unexpected


def test_betas_graphql_schema_holds_for_every_field(beta: TenantFixture, wsgi_app: InProcessApp):
    define_beta_fields(beta)

    operations, failures = contract_failures(beta, wsgi_app, only_beta_records=True)

    assert operations >= 10  # companies, contacts and deals: their queries and mutations
    unexpected = report(failures)
    assert not unexpected, unexpected
