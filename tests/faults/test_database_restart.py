"""PostgreSQL restarted under a running web process.

A restart ends every connection. The web process (gunicorn, one worker thread with a persistent
connection as production runs it) must answer the request whose connection died with a 503 and
``Retry-After``, keep nothing that request was writing, and serve the next request without being
restarted itself.

Restarting the suite's shared server would disturb the session's other connections, so the
request's connection is ended the way a restart ends it, with ``pg_terminate_backend`` (the
server's "terminating connection due to administrator command", what a fast shutdown sends every
backend), at a moment the test chooses: while the request waits on a table lock the test holds.
The last test restarts a throwaway server of its own for real, to show the error a real restart
raises is the one recognised and that a persistent connection comes back after it, in the
schema it had.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import Error, connections, transaction

from crm_platform.database_outage import RETRY_AFTER_SECONDS, is_connection_lost, unavailable_message
from customization.events.models import DomainEvent
from identity.models import User
from identity.services.api_keys import create_api_key
from modules.contacts.models import Contact
from tenants.models import Tenant
from tests import processes
from tests.faults.conftest import FAULT_PREFIX
from tests.faults.locks import cut_waiting_backend, table_held
from tests.faults.web import Answer, request
from tests.processes import free_port, start_gunicorn, stop
from tests.tenancy import TenantFixture


def interrupted(send: Any, schema: str, table: str) -> Answer:
    """``send()`` in a thread, its database connection ended while it waits on ``table``."""
    answers: list[Answer] = []
    with table_held(schema, table) as holder:
        thread = threading.Thread(target=lambda: answers.append(send()))
        thread.start()
        cut_waiting_backend(holder)
    thread.join(timeout=60)
    assert answers, "the request did not come back"
    return answers[0]


@dataclass(frozen=True)
class Web:
    port: int
    process: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def web(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """One gunicorn for the module's tests (starting one takes seconds): one thread with a
    persistent connection, so the next request reuses the very thread whose connection died, as
    production's DATABASE_CONN_MAX_AGE would; the routing and API key caches on, as in production
    (core/generations.py)."""
    directory = tmp_path_factory.mktemp("database-restart")
    environment = {
        **processes.test_process_environment(directory),
        "WEB_WORKERS": "1",
        "WEB_THREADS": "1",
        "DATABASE_CONN_MAX_AGE": "60",
        "REQUEST_PATH_CACHES": "1",
    }
    port = free_port()
    server = start_gunicorn(environment, directory / "web.log", port)
    try:
        # A cold worker imports the views and builds the tenant's GraphQL schema on its first
        # requests (a minute on a loaded machine): done here, so no test's request is the one that
        # pays it, and a request a test gave up on never holds the server's one thread afterwards.
        with django_db_blocker.unblock():
            host = Tenant.objects.get(slug="alpha").primary_host
        request(port, host, "GET", "/login/", timeout=600)
        request(port, host, "POST", "/graphql/", body={"query": "{ __typename }"}, timeout=600)
        yield Web(port, server)
    finally:
        stop(server)


def api_key(alpha: TenantFixture, name: str) -> dict[str, str]:
    with alpha.active():
        admin = User.objects.get(email="admin@example.test")
        _key, secret = create_api_key(
            user=admin, name=f"{FAULT_PREFIX}{name}", scopes=["contacts:read", "contacts:write"]
        )
    return {"Authorization": f"Bearer {secret}"}


def assert_unavailable(answer: Answer) -> None:
    assert answer.status == 503, answer.body
    assert answer.headers["retry-after"] == str(RETRY_AFTER_SECONDS)


def test_a_request_whose_database_connection_dies_answers_503_keeps_nothing_and_the_next_one_works(
    committed_alpha: TenantFixture, web: Web
) -> None:
    schema = committed_alpha.tenant.schema_name
    browser = committed_alpha.client()
    cookie = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}
    bearer = api_key(committed_alpha, "database")
    port, host = web.port, committed_alpha.host

    def create(last_name: str) -> Answer:
        return request(
            port, host, "POST", "/api/v1/contacts/", headers=bearer, body={"first_name": "Ada", "last_name": last_name}
        )

    assert request(port, host, "GET", "/contacts/", headers=cookie).status == 200

    # A REST write: the contact row is inserted, then the request waits on the outbox table
    # (same transaction) and its connection dies there.
    answer = interrupted(lambda: create(f"{FAULT_PREFIX}interrupted"), schema, DomainEvent._meta.db_table)
    assert_unavailable(answer)
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "https://relata.dev/problems/database-unavailable"
    with committed_alpha.active():
        assert not Contact.objects.filter(last_name=f"{FAULT_PREFIX}interrupted").exists()
        assert (
            not DomainEvent.objects.filter(entity="contact", type="contact.created")
            .filter(record_id__in=Contact.objects.filter(last_name__startswith=FAULT_PREFIX).values("pk"))
            .exists()
        )

    # The same process and thread: a new connection, in the tenant's schema.
    again = create(f"{FAULT_PREFIX}after")
    assert again.status == 201, again.body
    with committed_alpha.active():
        contact = Contact.objects.get(last_name=f"{FAULT_PREFIX}after")
        assert DomainEvent.objects.filter(entity="contact", record_id=contact.pk).count() == 1

    # A page: its connection dies while it reads the contacts.
    page = interrupted(lambda: request(port, host, "GET", "/contacts/", headers=cookie), schema, Contact._meta.db_table)
    assert_unavailable(page)
    assert "text/html" in page.headers["content-type"]
    assert b"Nothing was saved" in page.body

    # The next page works and the browser is still signed in (sessions are in PostgreSQL).
    after = request(port, host, "GET", "/contacts/", headers=cookie)
    assert after.status == 200
    assert f"{FAULT_PREFIX}after".encode() in after.body
    assert web.process.poll() is None  # never restarted


EMAIL = f"{FAULT_PREFIX}graphql@example.test"
CONTACTS_QUERY = f'query {{ contacts(first: 5, email: "{EMAIL}") {{ edges {{ node {{ lastName }} }} }} }}'
CREATE_MUTATION = (
    "mutation Create($input: ContactInput!) { contactCreate(input: $input, allowDuplicate: true)"
    " { contact { id } errors { field message } } }"
)


def test_a_graphql_resolver_whose_database_connection_dies_answers_503_and_keeps_nothing(
    committed_alpha: TenantFixture, web: Web
) -> None:
    schema = committed_alpha.tenant.schema_name
    bearer = api_key(committed_alpha, "graphql")
    port, host = web.port, committed_alpha.host

    def graphql(query: str, variables: dict[str, Any] | None = None) -> Answer:
        return request(port, host, "POST", "/graphql/", headers=bearer, body={"query": query, "variables": variables})

    # A query: the resolver's connection dies while it reads the contacts. The whole request is
    # unavailable (not a 200 with a null field beside an error).
    read = interrupted(lambda: graphql(CONTACTS_QUERY), schema, Contact._meta.db_table)
    assert_unavailable(read)
    assert read.headers["content-type"] == "application/json"
    assert read.json() == {
        "errors": [{"message": unavailable_message(), "extensions": {"code": "DATABASE_UNAVAILABLE"}}]
    }

    # A mutation: the contact row is inserted, then the connection dies at the outbox.
    new = {"firstName": "Ada", "lastName": f"{FAULT_PREFIX}graphql-interrupted", "email": EMAIL}
    written = interrupted(lambda: graphql(CREATE_MUTATION, {"input": new}), schema, DomainEvent._meta.db_table)
    assert_unavailable(written)
    assert written.json()["errors"][0]["extensions"] == {"code": "DATABASE_UNAVAILABLE"}
    assert "data" not in written.json()
    with committed_alpha.active():
        assert not Contact.objects.filter(last_name=f"{FAULT_PREFIX}graphql-interrupted").exists()

    # The same thread answers the next operation on a new connection, in the tenant's schema.
    again = graphql(CREATE_MUTATION, {"input": {**new, "lastName": f"{FAULT_PREFIX}graphql-after"}})
    assert again.status == 200, again.body
    assert again.json()["data"]["contactCreate"]["errors"] == []
    listed = graphql(CONTACTS_QUERY)
    assert listed.status == 200, listed.body
    assert listed.json()["data"]["contacts"]["edges"] == [{"node": {"lastName": f"{FAULT_PREFIX}graphql-after"}}]
    with committed_alpha.active():
        contact = Contact.objects.get(last_name=f"{FAULT_PREFIX}graphql-after")
        assert DomainEvent.objects.filter(entity="contact", record_id=contact.pk).count() == 1
    assert web.process.poll() is None


@contextmanager
def throwaway_postgres() -> Iterator[dict[str, Any]]:
    """A PostgreSQL server of this test's own (pgserver, as the suite's), on a unix socket."""
    import pgserver
    from pgserver._commands import pg_ctl

    with tempfile.TemporaryDirectory(prefix="relata-pg-") as directory:
        server = pgserver.get_server(Path(directory) / "data", cleanup_mode="delete")
        info = server.get_postmaster_info()

        def restart() -> None:  # a fast shutdown ends every connection, then the server starts again
            pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)

        try:
            yield {"host": str(info.socket_dir), "port": info.port or 5432, "restart": restart}
        finally:
            server.cleanup()


def test_a_real_restart_is_recognised_and_a_persistent_connection_comes_back_in_its_schema(
    django_db_blocker: Any,
) -> None:
    with throwaway_postgres() as server, django_db_blocker.unblock():
        settings = {
            **connections["default"].settings_dict,
            "NAME": "postgres", "USER": "postgres", "PASSWORD": "", "HOST": server["host"], "PORT": server["port"],
            "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True, "OPTIONS": {},
        }  # fmt: skip
        database = connections["default"].__class__(settings, alias="throwaway")
        connections["throwaway"] = database
        try:
            with database.cursor() as cursor:
                for schema in ("shop_a", "shop_b"):
                    cursor.execute(f"CREATE SCHEMA {schema}")
                    cursor.execute(f"CREATE TABLE {schema}.item (name text)")
                    cursor.execute(f"INSERT INTO {schema}.item VALUES ('in {schema}')")  # noqa: S608 (constants)
            database.set_schema("shop_a")

            def names() -> list[str]:
                with database.cursor() as cursor:
                    cursor.execute("SELECT name FROM item ORDER BY name")
                    return [row[0] for row in cursor.fetchall()]

            assert names() == ["in shop_a"]
            first_backend = database.connection.info.backend_pid

            # Restarted between two requests: the next request's health check replaces the
            # connection and the schema is set on the new one.
            server["restart"]()
            database.close_if_unusable_or_obsolete()  # what Django does as a request starts
            assert names() == ["in shop_a"]
            assert database.connection.info.backend_pid != first_backend

            # Restarted in the middle of a request's transaction.
            def write_across_a_restart() -> None:
                with transaction.atomic(using="throwaway"), database.cursor() as cursor:
                    cursor.execute("INSERT INTO item VALUES ('half-written')")
                    server["restart"]()
                    cursor.execute("INSERT INTO item VALUES ('second half')")

            with pytest.raises(Error) as raised:
                write_across_a_restart()
            assert is_connection_lost(raised.value), repr(raised.value)
            database.close_if_unusable_or_obsolete()  # what Django does as the request ends
            assert names() == ["in shop_a"]
        finally:
            database.close()
            del connections["throwaway"]
