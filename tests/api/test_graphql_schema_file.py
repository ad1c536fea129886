"""The printed GraphQL schema is committed (api/graphql/schema.graphql): integrators read it, and a
change to the API shows in review. Every tenant's schema is this one plus its custom field types."""

from pathlib import Path

from graphql import print_schema

from api.graphql.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "api" / "graphql" / "schema.graphql"


def test_the_committed_schema_is_the_schema_the_code_serves() -> None:
    printed = print_schema(schema.graphql_schema)

    assert SCHEMA_FILE.read_text() == printed, (
        "The GraphQL schema changed: run `make graphql-schema`, review the difference and commit "
        "api/graphql/schema.graphql with the change."
    )
