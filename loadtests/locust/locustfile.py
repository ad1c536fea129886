"""Who uses Relata at once, for locust: browsing sales reps, integrators with API keys, admins.

Run by ``make loadtest`` (``python -m loadtests.locust``), which seeds the tenants, starts gunicorn
as ``make run`` does and passes the manifest's path in ``RELATA_LOADTEST_MANIFEST``. Every simulated
user picks a tenant at random from the manifest's (100 by default) and works in it for a while
(the ``next_visit`` task hands over to a new person in another tenant: after about 100 tasks of a
sales rep, 70 of an admin, 40 of an integrator, so a few concurrent users reach most tenants over a
run while sign-ins, deliberately slow password hashing, stay about 1 % of the requests); requests
go to gunicorn's address with the tenant's host in the ``Host`` header. Users wait for nothing
between requests (a closed loop): the run measures how much the server can serve. The soak
(``loadtests.locust.soak``) sets ``RELATA_LOADTEST_PACE`` instead: each user runs that many tasks a
second at most, a moderate load held for a long time.

- ``Browser`` signs in through the login form as one of the tenant's sales reps (who may see only
  their own records) and opens lists, records they own, Ctrl+K search, the pipeline board, the
  calendar and its events, the home page.
- ``Integrator`` uses the tenant's API key: REST and GraphQL reads of a 50-row page and of one
  record, and writes (create a contact, change it) through both.
- ``Admin`` signs in as the tenant's admin and opens the settings pages: users, roles, teams,
  custom fields, pipelines, API keys, the audit log.
- ``Healthz`` only asks for ``/healthz``: the same-run ceiling (``--healthz`` phase), not part of
  the mixed run.

A response counts as a failure when its status is not the expected one (a sign-in must end on a
page, not back on the form); ``--max-requests`` stops the run after that many requests.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import gevent
from locust import FastHttpUser, constant_throughput, events, task
from locust.env import Environment
from locust.exception import StopUser

_manifest: dict[str, Any] | None = None
PACE = float(os.environ.get("RELATA_LOADTEST_PACE") or 0)
_sequence = itertools.count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def manifest() -> dict[str, Any]:
    global _manifest
    if _manifest is None:
        with open(os.environ["RELATA_LOADTEST_MANIFEST"], encoding="utf-8") as source:
            _manifest = json.load(source)
    return _manifest


@events.init_command_line_parser.add_listener
def _arguments(parser: Any) -> None:
    parser.add_argument("--max-requests", type=int, default=0, help="stop after this many requests (0: no bound)")


@events.init.add_listener
def _bound_requests(environment: Environment, **_kwargs: Any) -> None:
    limit = environment.parsed_options.max_requests if environment.parsed_options else 0
    if not limit:
        return
    counter = itertools.count(1)

    @environment.events.request.add_listener
    def _count(**_request: Any) -> None:
        if next(counter) == limit and environment.runner is not None:
            # Not from inside the request's own greenlet, which quit() kills: that hangs the process.
            gevent.spawn(environment.runner.quit)


class TenantUser(FastHttpUser):
    abstract = True
    # Gunicorn's address; the tenant is chosen by the Host header.
    host = os.environ.get("RELATA_LOADTEST_URL", "http://127.0.0.1:8000")
    # Closed loop: the next request as soon as the last one is answered; with RELATA_LOADTEST_PACE
    # (the soak's moderate load) each user runs that many tasks a second at most.
    wait_time = constant_throughput(PACE) if PACE else staticmethod(lambda: 0)  # type: ignore[assignment]
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        self.tenant = random.choice(manifest()["tenants"])  # noqa: S311 (load spread, not security)
        self.headers = {"Host": self.tenant["host"]}

    def leave(self) -> None:
        """The person leaves and another one, in another tenant, starts."""
        self.client.cookiejar.clear()
        self.on_start()

    def get(self, path: str, name: str, **kwargs: Any) -> None:
        with self.client.get(path, headers=self.headers, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def sign_in(self, email: str) -> None:
        page = self.client.get("/login/", headers=self.headers, name="sign in: form")
        token = CSRF.search(page.text or "")
        if token is None:
            raise StopUser()
        self.headers["Referer"] = f"http://{self.tenant['host']}/login/"
        with self.client.post(
            "/login/",
            headers=self.headers,
            data={"csrfmiddlewaretoken": token.group(1), "username": email, "password": manifest()["password"]},
            name="sign in: post",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/login" in (response.headers.get("Location") or ""):
                response.failure(f"sign-in refused: HTTP {response.status_code}")
                raise StopUser()


class Browser(TenantUser):
    """A sales rep clicking through the pages."""

    weight = 6

    @task(1)
    def next_visit(self) -> None:
        self.leave()

    def on_start(self) -> None:
        super().on_start()
        self.person = random.choice(self.tenant["browsers"])  # noqa: S311
        self.sign_in(self.person["email"])

    def pick(self, kind: str) -> int | None:
        ids = self.person[kind]
        return random.choice(ids) if ids else None  # noqa: S311

    @task(9)
    def home(self) -> None:
        self.get("/", "page: home")

    @task(12)
    def contact_list(self) -> None:
        self.get("/contacts/", "page: contacts list")

    @task(6)
    def company_list(self) -> None:
        self.get("/companies/", "page: companies list")

    @task(9)
    def deal_list(self) -> None:
        self.get("/deals/", "page: deals list")

    @task(6)
    def activity_list(self) -> None:
        self.get("/activities/", "page: activities list")

    @task(15)
    def contact_detail(self) -> None:
        if (pk := self.pick("contacts")) is not None:
            self.get(f"/contacts/{pk}/", "page: contact")

    @task(9)
    def company_detail(self) -> None:
        if (pk := self.pick("companies")) is not None:
            self.get(f"/companies/{pk}/", "page: company")

    @task(9)
    def deal_detail(self) -> None:
        if (pk := self.pick("deals")) is not None:
            self.get(f"/deals/{pk}/", "page: deal")

    @task(12)
    def search(self) -> None:
        words = self.person["search"] or ["a"]
        self.get(f"/search/?q={random.choice(words)}", "page: Ctrl+K search")  # noqa: S311

    @task(6)
    def board(self) -> None:
        self.get("/pipeline/", "page: pipeline board")

    @task(3)
    def calendar(self) -> None:
        self.get("/calendar/", "page: calendar")

    @task(6)
    def calendar_events(self) -> None:
        monday = datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday())
        self.get(f"/calendar/events/?start={monday}&end={monday + timedelta(days=7)}", "page: calendar events")


class Integrator(TenantUser):
    """A program with the tenant's API key: REST and GraphQL reads and writes."""

    weight = 3
    CONTACTS_QUERY = (
        "query Page { contacts(first: 50) { edges { node { id fullName email phone jobTitle lifecycleStage"
        " owner { id email } company { id name } tags { name } } } pageInfo { hasNextPage endCursor } } }"
    )
    CREATE = (
        "mutation Create($input: ContactInput!) { contactCreate(input: $input, allowDuplicate: true)"
        " { contact { id } errors { field message } } }"
    )
    UPDATE = (
        "mutation Update($id: ID!, $input: ContactInput!) { contactUpdate(id: $id, input: $input)"
        " { contact { id } errors { field message } } }"
    )

    @task(1)
    def next_visit(self) -> None:
        self.leave()

    def on_start(self) -> None:
        super().on_start()
        self.headers["Authorization"] = f"Bearer {self.tenant['api_key']}"
        self.contact_ids: list[str] = []
        self.graphql_ids: list[str] = []

    def graphql(self, query: str, variables: dict[str, Any], name: str) -> dict[str, Any] | None:
        with self.client.post(
            "/graphql/", headers=self.headers, json={"query": query, "variables": variables}, name=name,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            body = response.json()
            if body.get("errors"):
                response.failure(f"GraphQL errors: {body['errors'][:1]}")
                return None
            return body.get("data")

    @task(12)
    def rest_contacts(self) -> None:
        with self.client.get(
            "/api/v1/contacts/?page_size=50", headers=self.headers, name="REST: contacts page", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            self.contact_ids = [str(row["id"]) for row in response.json().get("results", [])]

    @task(6)
    def rest_deals(self) -> None:
        self.get("/api/v1/deals/?page_size=50", "REST: deals page")

    @task(6)
    def rest_contact(self) -> None:
        if self.contact_ids:
            self.get(f"/api/v1/contacts/{random.choice(self.contact_ids)}/", "REST: contact")  # noqa: S311

    @task(8)
    def graphql_contacts(self) -> None:
        data = self.graphql(self.CONTACTS_QUERY, {}, "GraphQL: contacts page")
        if data:
            self.graphql_ids = [edge["node"]["id"] for edge in data["contacts"]["edges"]]

    @task(2)
    def rest_write(self) -> None:
        marker = f"{next(_sequence)}-{uuid.uuid4().hex[:8]}"
        with self.client.post(
            "/api/v1/contacts/", headers=self.headers, name="REST: create contact", catch_response=True,
            json={"first_name": "Load", "last_name": f"Test {marker}", "email": f"load-{marker}@example.test"},
        ) as response:  # fmt: skip
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
            created = response.json()["id"]
        with self.client.patch(
            f"/api/v1/contacts/{created}/", headers=self.headers, name="REST: change contact", catch_response=True,
            json={"job_title": "Buyer"},
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")

    @task(2)
    def graphql_write(self) -> None:
        marker = f"{next(_sequence)}-{uuid.uuid4().hex[:8]}"
        contact = {"firstName": "Load", "lastName": f"Graph {marker}", "email": f"graph-{marker}@example.test"}
        data = self.graphql(self.CREATE, {"input": contact}, "GraphQL: create contact")
        if not data or data["contactCreate"]["errors"]:
            return
        self.graphql(
            self.UPDATE, {"id": data["contactCreate"]["contact"]["id"], "input": {"jobTitle": "Buyer"}},
            "GraphQL: change contact",
        )  # fmt: skip


class Admin(TenantUser):
    """The tenant's admin in the settings."""

    weight = 1

    @task(1)
    def next_visit(self) -> None:
        self.leave()

    def on_start(self) -> None:
        super().on_start()
        self.sign_in(self.tenant["admin"])

    @task(18)
    def users(self) -> None:
        self.get("/settings/users/", "settings: users")

    @task(6)
    def roles(self) -> None:
        self.get("/settings/roles/", "settings: roles")

    @task(6)
    def teams(self) -> None:
        self.get("/settings/teams/", "settings: teams")

    @task(12)
    def fields(self) -> None:
        self.get("/settings/fields/", "settings: custom fields")

    @task(6)
    def pipelines(self) -> None:
        self.get("/settings/pipelines/", "settings: pipelines")

    @task(6)
    def api_keys(self) -> None:
        self.get("/settings/api-keys/", "settings: API keys")

    @task(12)
    def audit_log(self) -> None:
        self.get("/settings/audit-log/", "settings: audit log")


class Healthz(TenantUser):
    """The ceiling: what any request costs (gunicorn and the middleware, no database)."""

    weight = 1  # run alone, by name, in the ceiling phase; the mixed run names its three classes

    def on_start(self) -> None:
        self.headers = {}

    @task
    def healthz(self) -> None:
        self.get("/healthz", "/healthz")
