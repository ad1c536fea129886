"""One web process serving the same API page for many tenants: ``python PATH/graphql_tenants_probe.py``.

Run by ``loadtests.bench_graphql_tenants`` as a script with the working directory (and import path)
at a checkout of the code, so each side measures its own: this one, or the code before a change.
It loads that checkout's gunicorn settings (a web worker's environment: persistent connections,
the per-process caches on), then asks every host in ``--hosts`` for the page once per pass, in
the same shuffled order each pass: the first pass finds the process cold (nothing cached for any
tenant), the later ones warm. Each request goes through Django's whole stack (test client, no
network), connections closed around it as the WSGI handler does when they are older than
CONN_MAX_AGE. GraphQL schema builds are counted by wrapping the schema module's ``build_schema``,
which every checkout's schema lookup calls on a miss. Prints one JSON line.

    python graphql_tenants_probe.py --api graphql|rest --token T --hosts FILE [--passes 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import runpy
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PAGE_SIZE = 50
REST_PATH = f"/api/v1/contacts/?page_size={PAGE_SIZE}"
GRAPHQL_QUERY = """
query Page($first: Int!) {
  contacts(first: $first) {
    edges { node {
      id fullName email jobTitle owner { email } company { name } tags { name }
      custom { tier segment score }
    } }
  }
}
"""


def _check(api: str, status: int, body: bytes) -> str | None:
    """None when the answer is a full page whose rows carry their custom values."""
    payload = json.loads(body) if body[:1] in (b"{", b"[") else {}
    if status != 200 or payload.get("errors"):
        return f"{api} answered {status}: {body[:300]!r}"
    if api == "rest":
        rows = [row["custom"] for row in payload["results"]]
    else:
        rows = [edge["node"]["custom"] for edge in payload["data"]["contacts"]["edges"]]
    if len(rows) != PAGE_SIZE or any(row.get("tier") is None for row in rows):
        return f"{api} answered {len(rows)} rows, custom values {rows[:1]}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", choices=("graphql", "rest"), required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--hosts", required=True, type=Path)
    parser.add_argument("--passes", type=int, default=2)
    arguments = parser.parse_args(argv)
    hosts = arguments.hosts.read_text().split()
    random.Random(7).shuffle(hosts)  # noqa: S311 (an order, not a secret)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="relata-probe-"))
    runpy.run_path(str(Path.cwd() / "infra" / "gunicorn.conf.py"))  # sets the web worker's environment
    import django

    django.setup()
    import psutil
    from django.db import close_old_connections
    from django.test import Client

    import api.graphql.custom_fields.schema as schemas

    builds = [0]
    build_schema = schemas.build_schema

    def counted_build(*args: Any, **kwargs: Any) -> Any:
        builds[0] += 1
        return build_schema(*args, **kwargs)

    schemas.build_schema = counted_build  # type: ignore[assignment]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {arguments.token}")
    body = json.dumps({"query": GRAPHQL_QUERY, "variables": {"first": PAGE_SIZE}})
    passes: list[dict[str, float]] = []
    for _pass in range(arguments.passes):
        walls: list[float] = []
        cpus: list[float] = []
        builds_before = builds[0]
        for host in hosts:
            wall, cpu = time.perf_counter(), time.thread_time()
            close_old_connections()
            if arguments.api == "rest":
                response = client.get(REST_PATH, HTTP_HOST=host)
            else:
                response = client.post("/graphql/", body, content_type="application/json", HTTP_HOST=host)
            close_old_connections()
            cpus.append(time.thread_time() - cpu)
            walls.append(time.perf_counter() - wall)
            problem = _check(arguments.api, response.status_code, response.content)
            if problem:
                print(json.dumps({"error": f"{host}: {problem}"}))
                return 1
        ordered = sorted(walls)
        passes.append({
            "requests": len(walls),
            "wall_median": statistics.median(walls),
            "wall_p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
            "wall_mean": statistics.fmean(walls),
            "cpu_median": statistics.median(cpus),
            "cpu_mean": statistics.fmean(cpus),
            "builds": builds[0] - builds_before,
            "rss": psutil.Process().memory_info().rss,
        })  # fmt: skip
    print(json.dumps({"passes": passes}))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path.cwd()))
    sys.exit(main())
