"""Real processes for tests: a gunicorn server or a Celery worker on the test database.

A test that queues work for a real worker waits for it (``wait_for_idle_worker``) before its
clean-up runs and again after it: a task still running while the next test, or the clean-up itself,
touches the same rows or builds an index on the same table deadlocks or sees the wrong data.
``tests/suite_rules.py`` does both waits for every test that uses the session's ``celery_worker``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent


def test_process_environment(mail_dir: Path) -> dict[str, str]:
    """The environment a child process needs to use this session's test database and Redis."""
    url = urlsplit(os.environ["DATABASE_URL"])
    test_database = settings.DATABASES["default"]["NAME"]
    environment = dict(os.environ)
    environment.update(
        DATABASE_URL=urlunsplit(url._replace(path=f"/{test_database}")),
        DJANGO_SETTINGS_MODULE="crm_platform.settings.test",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        PYTHONUNBUFFERED="1",
    )
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what} did not happen within {timeout:.0f} s")


def worker_name(role: str = "test") -> str:
    """The node name a worker of this pytest process is started with (``celery -n``)."""
    return f"{role}-{os.getpid()}@{socket.gethostname()}"


SESSION_WORKER = worker_name("session")
# The workers this process started and has not stopped yet, by node name.
RUNNING_WORKERS: dict[str, subprocess.Popen[bytes]] = {}


def start_celery_worker(
    environment: dict[str, str], log_file: Path, *, name: str | None = None
) -> subprocess.Popen[bytes]:
    """A real worker (solo pool: one task at a time, easy to reason about in tests)."""
    log = log_file.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm_platform",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "-n",
            name or worker_name(),
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_until(
        lambda: b"ready." in log_file.read_bytes() or process.poll() is not None, timeout=60, what="worker start"
    )
    if process.poll() is not None:
        raise RuntimeError(f"celery worker exited: {log_file.read_text()[-2000:]}")
    RUNNING_WORKERS[name or worker_name()] = process
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    for name in [name for name, running in RUNNING_WORKERS.items() if running is process]:
        del RUNNING_WORKERS[name]
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def queued_messages() -> int:
    """Messages waiting in the broker's default queue (sent, not yet taken by a worker)."""
    from crm_platform.celery import app

    with app.connection_for_write() as connection:
        declared = connection.default_channel.queue_declare(queue=app.conf.task_default_queue)
    return int(declared.message_count)


def worker_is_idle(name: str) -> bool:
    """Nothing queued, and the worker ``name`` runs and holds no task.

    The solo pool answers control messages only between tasks, so no answer means "busy". Tasks
    held back by a countdown (retries due later) are not waited for: they belong to no test.
    """
    from crm_platform.celery import app

    if queued_messages():
        return False
    inspect = app.control.inspect(destination=[name], limit=1, timeout=2.0)
    active = (inspect.active() or {}).get(name)
    if active is None or active:
        return False
    reserved = (inspect.reserved() or {}).get(name)
    return reserved == [] and not queued_messages()


def wait_for_idle_worker(name: str = SESSION_WORKER, *, timeout: float = 120) -> None:
    """Wait until the worker has finished everything queued so far (and what that queued in turn).

    Idle twice in a row, a moment apart: a task that finishes may queue another after its commit.
    """
    process = RUNNING_WORKERS.get(name)
    if process is None:
        raise RuntimeError(f"worker {name} is not running: nothing would take the queued tasks")
    consecutive = 0

    def settled() -> bool:
        nonlocal consecutive
        if process.poll() is not None:
            raise RuntimeError(f"worker {name} exited with {process.returncode} while tasks were queued")
        consecutive = consecutive + 1 if worker_is_idle(name) else 0
        return consecutive >= 2

    wait_until(settled, timeout=timeout, what=f"worker {name} idle", interval=0.1)
