"""OpenTelemetry tracing: off without an endpoint; switched on, a process exports its request,
Redis and SQL spans over OTLP/HTTP to the collector, with secrets in URLs redacted.

The traced process is a child process: instrumenting Django patches it for good, which the rest of
the suite must not inherit."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from crm_platform import tracing
from tests.processes import test_process_environment as child_environment
from tests.tenancy import TenantFixture

CHILD = """
import os, sys
os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = sys.argv[1]
os.environ["OTEL_SERVICE_NAME"] = "relata-test"
import django
django.setup()
from crm_platform.tracing import flush, init_tracing
assert init_tracing("relata-web")
from django.core.cache import cache
from django.test import Client
assert Client(HTTP_HOST="alpha.localhost").get("/login/?token=supersecret123").status_code == 200
Client(HTTP_HOST="localhost").get("/healthz")
cache.set("traced", "1")
flush()
"""


@pytest.fixture
def collector() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()


def test_tracing_is_off_without_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert tracing.init_tracing("relata-web") is False


def test_spans_reach_the_collector_with_urls_redacted(
    collector: tuple[str, list[bytes]], alpha: TenantFixture, tmp_path: Path
) -> None:
    endpoint, received = collector
    env = child_environment(tmp_path)  # this session's test database and Redis
    command = [sys.executable, "-c", CHILD, endpoint]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert result.returncode == 0, result.stderr[-2000:]

    spans = []
    for body in received:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}["service.name"]
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    attributes = {a.key: a.value for a in span.attributes}
                    spans.append((service, span.name, attributes))
    assert spans, "no span was exported"
    assert {service for service, _name, _attributes in spans} == {"relata-test"}
    http = [
        attributes for _s, _n, attributes in spans if "http.method" in attributes or "http.request.method" in attributes
    ]
    assert len(http) == 1, spans  # /healthz is not traced
    assert any("redis" in str(attributes.get("db.system")) for _s, _n, attributes in spans)
    assert any("postgresql" in str(attributes.get("db.system")) for _s, _n, attributes in spans)
    everything = " ".join(str(attributes) for _s, _n, attributes in spans)
    assert "supersecret123" not in everything
    assert "[redacted]" in everything
