"""One web process's cost per request, in process: ``python -m loadtests.request_path_probe``.

Run by ``loadtests.bench_request_path`` with the working directory at a checkout of the code (the
current one, or the one before a change), so each side measures its own code. It loads that
checkout's gunicorn settings file first (the environment a web worker gets: persistent connections,
statement timeout) and closes connections around each request as Django's WSGI handler does,
then sends ``--samples`` requests per path through Django's whole stack (test
client, no network) and prints one JSON line: per path the median and p95 wall time and the median
CPU time of this process (what the machine's other load inflates least).

    python -m loadtests.request_path_probe --host H --token T --samples 60 PATH [PATH …]
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("paths", nargs="+")
    arguments = parser.parse_args(argv)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="relata-probe-"))
    runpy.run_path(str(Path.cwd() / "infra" / "gunicorn.conf.py"))  # sets the web worker's environment
    import django

    django.setup()
    from django.db import close_old_connections
    from django.test import Client

    client = Client(HTTP_HOST=arguments.host, HTTP_AUTHORIZATION=f"Bearer {arguments.token}")
    results: dict[str, dict[str, float]] = {}
    for path in arguments.paths:
        for _warm_up in range(5):
            response = client.get(path)
            if response.status_code != 200:
                print(json.dumps({"error": f"{path} answered {response.status_code}"}))
                return 1
        walls: list[float] = []
        cpus: list[float] = []
        for _sample in range(arguments.samples):
            wall, cpu = time.perf_counter(), time.thread_time()
            # As Django's WSGI handler does around each request (the test client skips it): a
            # connection older than CONN_MAX_AGE (0: every one) is closed and the next one opened.
            close_old_connections()
            client.get(path)
            close_old_connections()
            cpus.append(time.thread_time() - cpu)
            walls.append(time.perf_counter() - wall)
        ordered = sorted(walls)
        results[path] = {
            "wall_median": statistics.median(walls),
            "wall_p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
            "cpu_median": statistics.median(cpus),
        }
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
