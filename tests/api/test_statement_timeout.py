"""Web processes connect with a PostgreSQL statement_timeout (Celery workers and migrations do
not), and a statement cancelled by it answers a clean 503 problem or a GraphQL error with a
code, never a server error, leaving nothing half-written."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from modules.contacts.models import Company
from tests.api.helpers import PROBLEM_BASE, post_graphql
from tests.api.rest_crm.helpers import api_client
from tests.processes import BASE_DIR
from tests.tenancy import TenantFixture

SHOW_TIMEOUT = """
import runpy, sys
if sys.argv[1] == "web":
    runpy.run_path("infra/gunicorn.conf.py")
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
"""


def _statement_timeout_of(kind: str, **environment: str) -> str:
    env = {key: value for key, value in os.environ.items() if "STATEMENT_TIMEOUT" not in key}
    env.update(DJANGO_SETTINGS_MODULE="crm_platform.settings.test", **environment)
    result = subprocess.run(
        [sys.executable, "-c", SHOW_TIMEOUT, kind], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_web_workers_get_a_statement_timeout_and_other_processes_do_not():
    assert _statement_timeout_of("web", WEB_STATEMENT_TIMEOUT_MS="1500") == "1500ms"
    assert _statement_timeout_of("worker") == "0"


@pytest.fixture
def slow_company_inserts(alpha: TenantFixture) -> None:
    """Inserting a company sleeps 5 s, and statements of this transaction stop after 0.3 s."""
    with alpha.active(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER slow_insert BEFORE INSERT ON contacts_company FOR EACH ROW EXECUTE FUNCTION slow_insert()"
        )
        cursor.execute("SET LOCAL statement_timeout = 300")


def test_a_rest_request_stopped_by_the_timeout_is_a_503_problem(alpha: TenantFixture, slow_company_inserts: None):
    response = api_client(alpha).post("/api/v1/companies/", {"name": "Slow Ltd"}, content_type="application/json")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": f"{PROBLEM_BASE}query-timeout",
        "title": "Request took too long",
        "status": 503,
        "detail": "The request took too long and was stopped; ask for less (smaller pages, narrower filters).",
        "instance": "/api/v1/companies/",
    }
    with alpha.active():
        assert not Company.objects.filter(name="Slow Ltd").exists()


def test_a_graphql_mutation_stopped_by_the_timeout_is_an_error_with_a_code(
    alpha: TenantFixture, slow_company_inserts: None
):
    response = post_graphql(alpha.client(), 'mutation { companyCreate(input: {name: "Slow Ltd"}) { company { id } } }')

    body = response.json()
    assert body["data"] == {"companyCreate": None}
    assert [(error["message"], error["extensions"]) for error in body["errors"]] == [
        (
            "The request took too long and was stopped; ask for less (smaller pages, narrower filters).",
            {"code": "QUERY_TIMEOUT"},
        )
    ]
    with alpha.active():
        assert not Company.objects.filter(name="Slow Ltd").exists()
