"""The /graphql/ endpoint: graphene-django's view with Relata's limits and rules.

On top of graphene-django's GraphQLView it
- bounds every document and operation (``api.graphql.limits``) while keeping graphql-core's
  standard validation rules, and accepts a POSTed list of operations up to MAX_BATCH;
- refuses, before running it, an operation that may return more than MAX_COST records or a query
  whose text arguments are too long (``api.graphql.cost``);
- serves introspection to signed-in clients only (GraphiQL stays available to browsers), and
  leaves "Did you mean ..." suggestions, which name fields and types, out of their errors;
- refuses mutations while the tenant is read-only (suspended or cancelled): tenants.middleware
  lets POSTs to /graphql/ through because queries are POSTs too;
- reports unexpected resolver errors to Sentry and shows the client a generic message; a
  statement the database cancelled (``crm_platform.statement_timeout``) is a ``QUERY_TIMEOUT``;
- lets a lost database connection in a resolver (``crm_platform.database_outage``) end the request,
  so it answers as any other request does then: 503 with ``Retry-After`` and a
  ``DATABASE_UNAVAILABLE`` error, not a 200 whose ``data`` is partly null;
- with ``tenant_schemas``, serves each tenant its own schema, carrying its custom fields
  (``api.graphql.custom_fields.schema``).

Authentication is a bearer API key or OAuth2 token (``api.auth.middleware``; no CSRF then) or
Django's session, whose POSTs CsrfViewMiddleware checks.
"""

import json
import logging
from typing import Any

import sentry_sdk
from django.db import transaction
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseNotAllowed
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
    validate,
)

from api.graphql.cost import cost_error, text_argument_errors
from api.graphql.custom_fields.schema import tenant_schema
from api.graphql.limits import batch_error, parse_document, validation_rules
from crm_platform.database_outage import is_connection_lost
from crm_platform.statement_timeout import TIMEOUT_CODE, is_statement_timeout, timeout_message
from tenants.middleware import read_only_message

logger = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = "Internal server error."


def read_only_error(
    request: HttpRequest, document: DocumentNode, operation: OperationDefinitionNode | None
) -> GraphQLError | None:
    """The error for a mutation sent to a read-only tenant, or None when the request may run.

    When no single operation is selected (several in the document and no operationName), any
    mutation in the document counts: nothing of the request is executed then anyway.
    """
    tenant = getattr(request, "tenant", None)
    if tenant is None or not tenant.is_read_only:
        return None
    operations = (
        [operation]
        if operation is not None
        else [definition for definition in document.definitions if isinstance(definition, OperationDefinitionNode)]
    )
    if not any(candidate.operation == OperationType.MUTATION for candidate in operations):
        return None
    return GraphQLError(read_only_message(tenant), extensions={"code": "TENANT_READ_ONLY"})


class RelataGraphQLView(GraphQLView):
    """GraphQLView with batches, limits, signed-in introspection, the read-only rule and Sentry."""

    tenant_schemas = False  # True: each tenant's own schema instead of ``schema``

    def __init__(self, *, tenant_schemas: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tenant_schemas = tenant_schemas
        self.tenant_schema: Any = None  # a view instance serves one request: as_view() builds one per call

    def request_schema(self, request: HttpRequest) -> Any:
        """The graphene schema serving this request (chosen once for all operations of a batch)."""
        tenant = getattr(request, "tenant", None)
        if not self.tenant_schemas or tenant is None:
            return self.schema
        if self.tenant_schema is None:
            self.tenant_schema = tenant_schema()
        return self.tenant_schema

    def parse_body(self, request: HttpRequest) -> Any:
        """JSON bodies may be one operation or a list of them (a batch of at most MAX_BATCH)."""
        if self.get_content_type(request) != "application/json":
            return super().parse_body(request)
        try:
            payload = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise HttpError(HttpResponseBadRequest("POST body sent invalid JSON.")) from error
        if isinstance(payload, list):
            problem = batch_error(payload)
            if problem:
                raise HttpError(HttpResponseBadRequest(problem))
            self.batch = True  # a view instance serves one request: as_view() builds one per call
            return payload
        if not isinstance(payload, dict):
            raise HttpError(HttpResponseBadRequest("The received data is not a valid JSON query."))
        return payload

    def execute_graphql_request(
        self,
        request: HttpRequest,
        data: Any,
        query: Any,
        variables: Any,
        operation_name: str | None,
        show_graphiql: bool = False,
    ) -> ExecutionResult | None:
        """graphene-django's pipeline (parse, GET only for queries, validate, execute) with our
        parser limits, rules and read-only check."""
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        if not isinstance(query, str):
            return ExecutionResult(errors=[GraphQLError("The query must be a string.")])
        if variables is not None and not isinstance(variables, dict):
            return ExecutionResult(errors=[GraphQLError("Variables must be a JSON object.")])
        try:
            document = parse_document(query)
        except GraphQLError as error:
            return ExecutionResult(errors=[error])

        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation is not None and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(
                HttpResponseNotAllowed(
                    ["POST"], f"Can only perform a {operation.operation.value} operation from a POST request."
                )
            )
        refusal = read_only_error(request, document, operation)
        if refusal is not None:
            return ExecutionResult(errors=[refusal])

        schema = self.request_schema(request).graphql_schema
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        # Callers who may not introspect get no "Did you mean ..." naming the schema's fields either.
        hide_suggestions = not signed_in
        errors = validate(
            schema,
            document,
            validation_rules(signed_in=signed_in),
            max_errors=graphene_settings.MAX_VALIDATION_ERRORS,
            hide_suggestions=hide_suggestions,
        )
        if errors:
            return ExecutionResult(errors=errors)
        refusals = request_cost_errors(schema, document, operation, variables)
        if refusals:
            return ExecutionResult(errors=refusals)

        options: dict[str, Any] = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
            "execution_context_class": self.execution_context_class,
            "hide_suggestions": hide_suggestions,
        }
        try:
            is_mutation = operation is not None and operation.operation == OperationType.MUTATION
            if is_mutation and graphene_settings.ATOMIC_MUTATIONS:
                with transaction.atomic():
                    result: ExecutionResult = execute(schema, document, **options)  # type: ignore[assignment]
            else:
                result = execute(schema, document, **options)  # type: ignore[assignment]
        except Exception as error:
            if is_connection_lost(error):
                raise
            # A bug: format_error reports it to Sentry.
            return ExecutionResult(errors=[GraphQLError(str(error), original_error=error)])
        raise_connection_lost(result)
        return result

    def format_error(self, error: Exception) -> dict[str, Any]:  # type: ignore[override]
        """Errors the API raises on purpose go out as they are; anything else is a bug: it goes
        to Sentry (a no-op when Sentry is not set up) and the client sees a generic message."""
        if isinstance(error, HttpError):
            return {"message": error.message}
        if isinstance(error, GraphQLError):
            original = error.original_error
            if original is None or isinstance(original, GraphQLError):
                return dict(error.formatted)
            if is_statement_timeout(original):  # the server's limit, not a bug
                formatted = dict(error.formatted)
                formatted["message"] = timeout_message()
                formatted["extensions"] = {"code": TIMEOUT_CODE}
                return formatted
            report_unexpected_error(original)
            formatted = dict(error.formatted)
            formatted["message"] = INTERNAL_ERROR_MESSAGE
            formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
            return formatted
        report_unexpected_error(error)
        return {"message": INTERNAL_ERROR_MESSAGE, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}


def raise_connection_lost(result: ExecutionResult) -> None:
    """Raise the first resolver error that lost the database connection.

    graphql-core turns a resolver's exception into an error beside the other fields' data. A lost
    connection is no field's error but the whole request's: every later statement of the request
    fails too and what it was writing is rolled back. Raised, it reaches the 500 handler, which
    answers 503 with ``Retry-After`` (``crm_platform.errors.server_error``) as for REST and pages.
    """
    for error in result.errors or ():
        original = error.original_error
        if original is not None and is_connection_lost(original):
            raise original


def request_cost_errors(
    schema: Any, document: DocumentNode, operation: OperationDefinitionNode | None, variables: dict[str, Any] | None
) -> list[GraphQLError]:
    """Why a valid request is refused before it runs: text arguments of a query too long, or more
    records asked for than one operation may return (``api.graphql.cost``)."""
    if operation is None:  # several operations and none chosen: execute answers that
        return []
    if operation.operation != OperationType.MUTATION:
        errors = text_argument_errors(document, variables)
        if errors:
            return errors
    error = cost_error(schema, document, operation, variables)
    return [error] if error is not None else []


def report_unexpected_error(error: BaseException) -> None:
    sentry_sdk.capture_exception(error)
    logger.warning("GraphQL request failed: %s", type(error).__name__, exc_info=error)
