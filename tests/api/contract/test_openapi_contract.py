"""Every operation of each tenant's OpenAPI document, driven by schemathesis with a few generated
requests: no 5xx, and status codes, content types, headers and bodies as documented."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

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
from tests.tenancy import TenantFixture

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def contract_failures(
    fixture: TenantFixture, app: InProcessApp, *, only_beta_records: bool = False
) -> tuple[int, dict[str, str]]:
    headers = api_key_headers(fixture)
    document = fetch_json(fixture, headers, "get", "/api/v1/schema/")
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    if only_beta_records:
        operations = [operation for operation in operations if carries_beta_fields(operation.label)]

    def call(case: Any) -> None:
        case.call_and_validate(base_url=f"http://{fixture.host}", headers=headers, checks=CHECKS)

    return len(operations), first_failures(operations, call, app)


# Every operation of the document, called for real: about 300 s on a quiet machine, the default
# timeout; two processes on a loaded one take several times that. A hang still ends the test.
@pytest.mark.timeout(1200)
def test_alphas_document_holds_for_every_operation(alpha: TenantFixture, wsgi_app: InProcessApp):
    define_alpha_fields(alpha)

    operations, failures = contract_failures(alpha, wsgi_app)

    assert operations > 40
    unexpected = report(failures)
    assert not unexpected, unexpected


def test_betas_document_holds_for_every_operation(beta: TenantFixture, wsgi_app: InProcessApp):
    define_beta_fields(beta)

    operations, failures = contract_failures(beta, wsgi_app, only_beta_records=True)

    assert operations > 40
    unexpected = report(failures)
    assert not unexpected, unexpected
