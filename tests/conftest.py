"""Session-wide fixtures: the two isolation tenants, the demo tenant, clients per host.

The test database is created by pytest-django on the embedded PostgreSQL that ``make test``
starts. Tenants are provisioned once, committed, and shared; each test then runs inside a
transaction that is rolled back (the ``db`` fixture), so tests cannot leak into one another.
Never use ``transactional_db`` here: its flush would truncate the public schema's tenant table.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tenants.utils import tenant_context
from hypothesis import settings as hypothesis_settings
from hypothesis.internal.conjecture import providers as hypothesis_providers

from crm_platform.celery import app as celery_app
from identity.services.accounts import ensure_user
from identity.services.roles import ensure_system_roles
from identity.services.teams import save_team
from modules.registry import OPTIONAL_MODULE_KEYS
from tenants.models import Tenant
from tenants.services.provisioning import TenantRequest, ensure_template_tenant, provision_tenant, request_tenant
from tenants.services.public import ensure_public_tenant
from tests import migrated_database, scheduling
from tests.tenancy import ADMIN_EMAIL, PASSWORD, REP_EMAIL, TenantFixture

pytest_plugins = ["tests.suite_rules"]

# Every generated test draws the same examples on every machine and every day: the seed comes from
# the test's own source (derandomize), nothing is replayed from a local example database, and a
# slow example is not a failure on a loaded machine. A failure prints the blob to reproduce it with
# ``@reproduce_failure``. Tests only lower ``max_examples`` or suppress a health check they justify.
hypothesis_settings.register_profile(
    "relata", derandomize=True, database=None, deadline=None, print_blob=True, max_examples=100
)
hypothesis_settings.load_profile("relata")
# Hypothesis also mixes constants found in the project's modules *loaded so far* into some draws.
# Which modules are loaded depends on the tests that ran before, so a test run alone and the same
# test in the whole suite would draw different examples: draw only from Hypothesis's own constants.
# (A private hook of the pinned version; the assertion makes an upgrade that moves it fail loudly.)
assert callable(hypothesis_providers._get_local_constants)
hypothesis_providers._get_local_constants = hypothesis_providers.Constants

ISOLATION_SLUGS = ("alpha", "beta")


def _provision_isolation_tenant(slug: str) -> Tenant:
    tenant = request_tenant(
        TenantRequest(
            name=f"{slug.title()} Ltd",
            slug=slug,
            admin_email=ADMIN_EMAIL,
            admin_password=PASSWORD,
            status="active",
            enabled_modules=OPTIONAL_MODULE_KEYS,
        )
    )
    provision_tenant(tenant.pk)
    with tenant_context(tenant):
        roles = ensure_system_roles()
        rep = ensure_user(email=REP_EMAIL, password=PASSWORD, role=roles["sales_rep"], full_name="Rita Rep")
        admin = ensure_user(email=ADMIN_EMAIL, role=roles["admin"])
        save_team(team=None, name="Field sales", description="", members=[rep, admin], by=None)
    connection.set_schema_to_public()
    return tenant


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_modify_db_settings: None,
    django_db_blocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """The test database with the public tenant, the template and the two isolation tenants.

    Replaces pytest-django's fixture, which creates databases only for tests that use ``db``:
    tests that commit (``committed``), real workers and browser tests need it too. The migrated
    database (public schema and template) is kept between runs (``tests/migrated_database.py``).
    Under pytest-xdist each process has its own test database (``django_db_modify_db_settings``
    adds pytest-django's suffix); the first to find no copy builds it while the others wait, then
    they start from the copy it kept.
    """
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    # The run's own directory: under xdist, the parent of each process's temporary directory.
    run_dir = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):
        run_dir = run_dir.parent
    with django_db_blocker.unblock(), migrated_database.build_lock(run_dir) as built_in_this_run:
        copy_name = migrated_database.PREFIX + migrated_database.key()
        use_copy = built_in_this_run or migrated_database.enabled(request.config.getoption("create_db"))
        if use_copy and migrated_database.exists(copy_name):
            db_config = migrated_database.start_from_copy(copy_name)
            assert connection.settings_dict["NAME"].startswith("test_"), "refusing to seed a non-test database"
        else:
            db_config = setup_databases(verbosity=verbosity, interactive=False, aliases={"default"})
            assert connection.settings_dict["NAME"].startswith("test_"), "refusing to seed a non-test database"
            ensure_public_tenant()
            ensure_template_tenant()
            migrated_database.keep_copy(copy_name)
    with django_db_blocker.unblock():
        for slug in ISOLATION_SLUGS:
            _provision_isolation_tenant(slug)
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        teardown_databases(db_config, verbosity=verbosity)


@pytest.fixture
def alpha(db: None) -> TenantFixture:
    return TenantFixture(Tenant.objects.get(slug="alpha"))


@pytest.fixture
def beta(db: None) -> TenantFixture:
    return TenantFixture(Tenant.objects.get(slug="beta"))


@pytest.fixture(autouse=True)
def _public_schema_and_clean_cache() -> Iterator[None]:
    """Each test starts in the public schema with an empty cache (login throttling lives there) and
    the default language: a request in another language leaves it active in the thread (Django's
    locale middleware activates it and nothing resets it after the response), so a later test that
    calls a service directly would read that language's messages."""
    yield
    with contextlib.suppress(Exception):  # a test without database access has no connection to reset
        connection.set_schema_to_public()
    cache.clear()
    translation.deactivate()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real Celery worker on the test database; yields the directory its e-mails land in."""
    from tests.processes import SESSION_WORKER, start_celery_worker, stop, test_process_environment

    work_dir = tmp_path_factory.mktemp("celery")
    mail_dir = work_dir / "mail"
    mail_dir.mkdir()
    celery_app.control.purge()  # tasks queued by the tests before, which no worker was meant to run
    worker = start_celery_worker(test_process_environment(mail_dir), work_dir / "worker.log", name=SESSION_WORKER)
    yield mail_dir
    stop(worker)


@pytest.fixture(autouse=True)
def fresh_graphql_schema_cache() -> Iterator[None]:
    """Tests roll their custom field definitions back, and with them the definitions version, so a
    per-tenant GraphQL schema cached by one test could be served to the next: start from none."""
    from api.graphql.custom_fields.schema import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public_client(db: None) -> Client:
    """A client of the public host (BASE_DOMAIN is ``localhost`` in the tests)."""
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks sent while the test runs are executed at once in the sending thread (no broker): e.g.
    the provisioning a signup queues after its commit runs inside that request."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Under ``make test``'s parallel processes: by file, longest first, browser tests last
    (``tests/scheduling.py``)."""
    if config.getvalue("dist") not in ("load", "loadfile"):
        return None
    return scheduling.make_file_scheduler(config, log)
