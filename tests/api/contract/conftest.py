"""The contract suite: schemathesis drives each tenant's OpenAPI document and GraphQL schema
in-process through Django's WSGI handler, authenticated with an API key of the tenant's admin.

Requests run on the test's own database connection, inside its rolled-back transaction, so every
record the generated requests create disappears with the test."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.failures import FailureGroup

from customization.fields.choices import Entity, FieldType
from identity.services.api_keys import create_api_key, known_scopes
from tests.api.rest_custom.conftest import OPTIONS, TAG_OPTIONS, define
from tests.tenancy import TenantFixture

# Bounded: a few examples per operation, no shrinking (a failure is reported as found). The rest
# (derandomized, no example database, no deadline) is the suite's profile, so every machine sends the
# same requests. Whole request bodies drawn from a schema are large and some parameters are drawn with
# a filter by design, and every example is a real request against the database: those health checks
# describe the schema, not a mistake in the test.
EXAMPLES = settings(
    max_examples=8,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)


class InProcessApp:
    """Django's WSGI application that keeps the test's connection open between requests (as
    Django's test client does) and keeps the traceback of each server error in ``server_errors``."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.server_errors: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # Django's test client reconnects these after each of its requests, so disconnect every time.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        return self.handler(environ, start_response)

    def remember(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        self.server_errors.append(traceback.format_exc())


@pytest.fixture
def wsgi_app() -> Iterator[InProcessApp]:
    app = InProcessApp()
    signals.got_request_exception.connect(app.remember)
    try:
        yield app
    finally:
        signals.got_request_exception.disconnect(app.remember)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def api_key_headers(fixture: TenantFixture) -> dict[str, str]:
    """An ``Authorization`` header with a new key of the tenant's admin holding every scope."""
    with fixture.active():
        _key, plaintext = create_api_key(user=fixture.user(), name="Contract", scopes=sorted(known_scopes()))
    return {"Authorization": f"Bearer {plaintext}"}


def fetch_json(fixture: TenantFixture, headers: dict[str, str], method: str, path: str, **body: Any) -> Any:
    client = Client(HTTP_HOST=fixture.host)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    if method == "post":
        response = client.post(path, json.dumps(body), content_type="application/json", **extra)
    else:
        response = client.get(path, **extra)
    assert response.status_code == 200, response.content
    return response.json()


def define_alpha_fields(fixture: TenantFixture) -> None:
    """Alpha's fields: one of nearly every type across its records."""
    with fixture.active():
        define(Entity.COMPANY, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        define(Entity.COMPANY, "employees", FieldType.NUMBER)
        define(Entity.COMPANY, "website_alt", FieldType.URL)
        define(Entity.CONTACT, "ratio", FieldType.DECIMAL)
        define(Entity.CONTACT, "budget", FieldType.MONEY)
        define(Entity.CONTACT, "met_on", FieldType.DATE)
        define(Entity.CONTACT, "vip", FieldType.BOOLEAN)
        define(Entity.CONTACT, "labels", FieldType.MULTI_SELECT, options=TAG_OPTIONS)
        define(Entity.CONTACT, "manager", FieldType.USER)
        define(Entity.CONTACT, "employer", FieldType.REFERENCE, reference_entity=Entity.COMPANY)
        define(Entity.DEAL, "call_at", FieldType.DATETIME)
        define(Entity.LEAD, "backup_email", FieldType.EMAIL)


# The records beta's fields are on. Beta's run checks the operations whose document or schema its
# fields change; alpha's run checks every operation, and the rest of the document is the same for both.
BETA_FIELD_RECORDS = ("compan", "contact", "deal")


def carries_beta_fields(label: str) -> bool:
    """Whether an operation (``GET /api/v1/contacts/{id}/``, ``Query.contacts``) is on a record type
    that beta's custom fields change."""
    return any(record in label.lower() for record in BETA_FIELD_RECORDS)


def define_beta_fields(fixture: TenantFixture) -> None:
    """Beta's fields differ from alpha's, so a document or schema cached for one cannot serve the other."""
    with fixture.active():
        define(Entity.COMPANY, "history", FieldType.LONG_TEXT)
        define(Entity.CONTACT, "mobile", FieldType.PHONE)
        define(Entity.DEAL, "signed", FieldType.BOOLEAN)


def first_failure(operation: Any, call: Callable[[Any], None], app: InProcessApp) -> str | None:
    """The first failure of a few generated requests to ``operation``, with the server's traceback
    of a 5xx. It is kept rather than raised, so Hypothesis does not re-run a request whose outcome
    depended on the ones before it."""
    found: list[str] = []

    @given(case=operation.as_strategy())
    @EXAMPLES
    def check(case: Any) -> None:
        if found:
            return
        app.server_errors.clear()
        try:
            call(case)
        except (Exception, FailureGroup) as error:  # FailureGroup is a BaseExceptionGroup
            found.append(f"{error}\n{''.join(app.server_errors)}")

    try:
        check()
    except Exception as error:  # the strategy itself failed (an unusable part of the schema)
        return f"cannot generate requests: {error!r}"
    return found[0] if found else None


def first_failures(operations: list[Any], call: Callable[[Any], None], app: InProcessApp) -> dict[str, str]:
    """The first failure of each operation, by its label: one failing does not hide the others."""
    failures = {}
    for operation in operations:
        failure = first_failure(operation, call, app)
        if failure is not None:
            failures[operation.label] = failure
    return failures


def report(failures: dict[str, str]) -> str:
    """Every failure, one paragraph each (empty when there is none)."""
    return "\n\n".join(f"{label}: {text}" for label, text in failures.items())
