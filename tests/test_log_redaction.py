"""Links that are credentials (calendar feeds, invitations, password resets, login handoffs, signup
progress, OAuth codes) never reach a log line or Sentry: the path stays, the secret is redacted."""

from __future__ import annotations

import http.client
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crm_platform.sentry import scrub_breadcrumb, scrub_event
from tests.processes import free_port, start_gunicorn, stop, wait_until
from tests.processes import test_process_environment as process_environment


@dataclass(frozen=True)
class Server:
    port: int
    log_file: Path


@pytest.fixture(scope="module")
def server(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work_dir = tmp_path_factory.mktemp("redaction")
    (work_dir / "mail").mkdir()
    log_file = work_dir / "gunicorn.log"
    port = free_port()
    process = start_gunicorn(process_environment(work_dir / "mail"), log_file, port)
    try:
        yield Server(port, log_file)
    finally:
        stop(process)


def _get(server: Server, host: str, path: str, headers: dict[str, str] | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _access_lines(server: Server) -> int:
    lines = server.log_file.read_text().splitlines()
    return sum(1 for line in lines if '"GET /' in line and "/healthz" not in line and not line.startswith("{"))


def test_secret_links_are_redacted_in_the_access_log_and_the_json_log(server: Server) -> None:
    # given one secret per kind of link
    token = {
        name: secrets.token_hex(12)
        for name in ("feed", "invitation", "reset", "handoff", "code", "state", "signup", "referer", "encoded")
    }
    tenant_host, public_host = f"alpha.localhost:{server.port}", f"localhost:{server.port}"
    requests = [
        (tenant_host, f"/calendar/feed/{token['feed']}.ics", {}),
        (tenant_host, f"/invitations/{token['invitation']}/", {}),
        (tenant_host, f"/password-reset/MQ/{token['reset']}/", {}),
        (tenant_host, f"/login/handoff/{token['handoff']}/", {}),
        (tenant_host, f"/o/authorize/?client_id=app&code={token['code']}&state={token['state']}", {}),
        (public_host, f"/signup/{token['signup']}/", {}),
        (tenant_host, "/login/", {"Referer": f"http://alpha.localhost/invitations/{token['referer']}/"}),
        (tenant_host, f"/login/?next=/o/authorize/%3Fclient_id%3Dapp%26code%3D{token['encoded']}", {}),
    ]

    # when the real server (gunicorn with infra/gunicorn.conf.py) answers them
    statuses = [_get(server, host, path, headers) for host, path, headers in requests]
    wait_until(lambda: _access_lines(server) == len(requests), timeout=30, what="the access log")
    log = server.log_file.read_text()

    # then no secret is in the log, while each path (and Django's "Not Found" line) still is
    assert all(status < 500 for status in statuses), statuses
    assert [name for name, value in token.items() if value in log] == []
    for redacted in [
        '"GET /calendar/feed/[redacted].ics HTTP/1.1" 404',
        '"GET /invitations/[redacted]/ HTTP/1.1"',
        '"GET /password-reset/MQ/[redacted]/ HTTP/1.1"',
        '"GET /login/handoff/[redacted]/ HTTP/1.1"',
        '"GET /o/authorize/?client_id=app&code=[redacted]&state=[redacted] HTTP/1.1"',
        '"GET /signup/[redacted]/ HTTP/1.1"',
        '"http://alpha.localhost/invitations/[redacted]/"',
        '"GET /login/?next=/o/authorize/%3Fclient_id%3Dapp%26code%3D[redacted] HTTP/1.1"',
        '"message": "Not Found: /calendar/feed/[redacted].ics"',
    ]:
        assert redacted in log


def test_sentry_events_and_breadcrumbs_carry_no_secret_link() -> None:
    # given an event and a breadcrumb about a request to an invitation link and an OAuth callback
    event = {
        "request": {"url": "https://alpha.relata.example/invitations/s3cr3t-invite/", "query_string": "code=abc&x=1"},
        "breadcrumbs": {"values": [{"category": "django.request", "message": "Not Found: /login/handoff/h4ndoff/"}]},
        "exception": {"values": [{"value": "Resolver404: /calendar/feed/f33d.ics"}]},
    }
    crumb = {"type": "http", "data": {"url": "https://alpha.relata.example/o/authorize/?state=st4te&client_id=app"}}

    # when Sentry's hooks see them
    scrubbed_event, scrubbed_crumb = scrub_event(event), scrub_breadcrumb(crumb)

    # then the secrets are gone and the rest is kept
    assert scrubbed_event["request"] == {
        "url": "https://alpha.relata.example/invitations/[redacted]/",
        "query_string": "code=[redacted]&x=1",
    }
    assert scrubbed_event["breadcrumbs"]["values"][0]["message"] == "Not Found: /login/handoff/[redacted]/"
    assert scrubbed_event["exception"]["values"][0]["value"] == "Resolver404: /calendar/feed/[redacted].ics"
    assert scrubbed_crumb["data"]["url"] == "https://alpha.relata.example/o/authorize/?state=[redacted]&client_id=app"
