"""gunicorn preloads the application in its master (infra/gunicorn.conf.py, crm_platform/web_process.py):
a worker that replaces a recycled one answers its first request without importing the application,
on a database connection of its own, and traces its requests although the master built the handler.

Compared by CPU time of the worker process (what the machine's other load inflates least), as a
ratio to warm requests of the worker before it: without preloading, the new worker's first request
also paid Django's set-up and every import (seconds of CPU, hundreds of warm requests' worth)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.processes import free_port, start_gunicorn, stop, wait_until
from tests.processes import test_process_environment as process_environment
from tests.tenancy import TenantFixture
from tests.test_tracing import collector  # noqa: F401 (the fixture)

WARM_REQUESTS = 10


@dataclass(frozen=True)
class Server:
    port: int
    master: psutil.Process


@pytest.fixture
def server(django_db_setup: None, tmp_path: Path) -> Iterator[Server]:
    (tmp_path / "mail").mkdir()
    port = free_port()
    environment = {**process_environment(tmp_path / "mail"), "WEB_WORKERS": "1"}
    environment.pop("WEB_PRELOAD", None)  # the default, as `make run` and production serve
    process = start_gunicorn(environment, tmp_path / "gunicorn.log", port)
    try:
        yield Server(port, psutil.Process(process.pid))
    finally:
        stop(process)


def _login_page(server: Server) -> None:
    """A tenant page: host routing (a query), a session, a template."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request("GET", "/login/", headers={"Host": f"alpha.localhost:{server.port}"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200, body[:500]


def _worker(server: Server, other_than: int = 0) -> psutil.Process:
    wait_until(
        lambda: [child for child in server.master.children() if child.pid != other_than] != [],
        timeout=60, what="a new worker",
    )  # fmt: skip
    (worker,) = [child for child in server.master.children() if child.pid != other_than]
    return worker


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def test_a_recycled_worker_answers_its_first_request_about_as_cheaply_as_a_warm_one(server: Server):
    old = _worker(server)
    for _warm_up in range(3):
        _login_page(server)
    before = _cpu(old)
    for _request in range(WARM_REQUESTS):
        _login_page(server)
    warm = (_cpu(old) - before) / WARM_REQUESTS

    os.kill(old.pid, signal.SIGTERM)  # as after max_requests: the master forks a replacement
    new = _worker(server, other_than=old.pid)
    _login_page(server)  # the master has no other worker: the new one answers
    first = _cpu(new)  # all the new process ever spent: its start after the fork and this request

    # Measured at load 25: 270 ms against 14 ms warm (19×); without preloading 6.1 s (over 400×).
    assert first <= 50 * max(warm, 0.01), f"first request {first * 1000:.0f} ms CPU, warm {warm * 1000:.1f} ms"


# A worker forked from a preloading master: the application imported first (the master's part),
# then start_worker() (post_fork), then a request through the WSGI application itself, as gunicorn
# calls it (Django's test client would build a handler of its own, with the middleware as it is then).
FORKED_WORKER = """
import os, sys
from wsgiref.util import setup_testing_defaults
os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = sys.argv[1]
os.environ["WEB_TRACING_AFTER_FORK"] = "1"
from crm_platform.wsgi import application
from crm_platform.web_process import start_worker
from crm_platform.tracing import flush
start_worker()
environ = {}
setup_testing_defaults(environ)
environ.update(HTTP_HOST="alpha.localhost", PATH_INFO="/login/", REQUEST_METHOD="GET")
statuses = []
b"".join(application(environ, lambda status, headers, *rest: statuses.append(status)))
assert statuses[0].startswith("200"), statuses
flush()
"""


def test_a_worker_of_a_preloading_master_traces_its_requests(
    collector: tuple[str, list[bytes]],  # noqa: F811 (the fixture imported above)
    alpha: TenantFixture,
    tmp_path: Path,
):
    endpoint, received = collector
    command = [sys.executable, "-c", FORKED_WORKER, endpoint]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=process_environment(tmp_path), check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]

    methods = [
        attribute.value.string_value
        for body in received
        for resource_spans in ExportTraceServiceRequest.FromString(body).resource_spans
        for scope in resource_spans.scope_spans
        for span in scope.spans
        for attribute in span.attributes
        if attribute.key in ("http.method", "http.request.method")
    ]
    assert methods == ["GET"]
