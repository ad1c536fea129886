"""Real processes for tests: a gunicorn server or a Celery worker on the test database.

The session's worker takes tasks only while a test that asked for it runs: before such a test the
queue is emptied of what tests without a worker left there (``take_tasks``); after its body and
again after its clean-up, the test waits for the worker to finish what it queued
(``wait_for_idle_worker``), then the worker stops taking tasks and forgets the ones held for later
(``set_worker_aside``). So no task runs during a test that did not ask for it, races a clean-up
(a custom field index built concurrently deadlocks with it), or steals the work of a test's own
workers. ``tests/suite_rules.py`` does this for every test that uses ``celery_worker``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
    process = launch_celery_worker(environment, log_file, name=name)
    wait_for_worker_start(process, log_file)
    return process


def launch_celery_worker(
    environment: dict[str, str], log_file: Path, *, name: str | None = None, queues: str | None = None
) -> subprocess.Popen[bytes]:
    """A worker started without waiting for it (``wait_for_worker_start``), so its start overlaps
    other work; ``queues`` instead of the default queue (a queue no task is sent to keeps it idle)."""
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
            *(["--queues", queues] if queues else []),
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    RUNNING_WORKERS[name or worker_name()] = process
    return process


def wait_for_worker_start(process: subprocess.Popen[bytes], log_file: Path) -> None:
    try:
        wait_until(
            lambda: b"ready." in log_file.read_bytes() or process.poll() is not None, timeout=180, what="worker start"
        )
    except BaseException:  # a worker that never became ready (or an interrupted wait) is not left running
        stop(process)
        raise
    if process.poll() is not None:
        stop(process)
        raise RuntimeError(f"celery worker exited: {log_file.read_text()[-2000:]}")


def start_gunicorn(environment: dict[str, str], log_file: Path, port: int) -> subprocess.Popen[bytes]:
    """gunicorn configured as in production (infra/gunicorn.conf.py); its access log and the
    application's JSON log lines both land in ``log_file``."""
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "crm_platform.wsgi", "-c", str(BASE_DIR / "infra/gunicorn.conf.py")],
            cwd=BASE_DIR, env={**environment, "HOST": "127.0.0.1", "PORT": str(port)},
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: _healthy(port) or process.poll() is not None, timeout=180, what="gunicorn start")
    except BaseException:  # a server that never answered (or an interrupted wait) is not left running
        stop(process)
        raise
    if process.poll() is not None:
        raise RuntimeError(f"gunicorn exited with {process.returncode}: {log_file.read_text()[-3000:]}")
    return process


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


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


def take_tasks(name: str = SESSION_WORKER) -> None:
    """Empty the queue of tasks no test waits for, then let the worker take what comes next."""
    from crm_platform.celery import app

    app.control.purge()
    replies = app.control.add_consumer(app.conf.task_default_queue, destination=[name], reply=True, timeout=10)
    if not replies:
        raise TimeoutError(f"worker {name} did not answer: cannot let it take tasks")


def set_worker_aside(name: str = SESSION_WORKER) -> None:
    """After a test: finished, it forgets tasks held for later (retries) and takes no new ones."""
    from crm_platform.celery import app

    wait_for_idle_worker(name)
    held = (app.control.inspect(destination=[name], limit=1, timeout=10).scheduled() or {}).get(name, [])
    for task in held:
        app.control.revoke(task["request"]["id"], destination=[name])
    replies = app.control.cancel_consumer(app.conf.task_default_queue, destination=[name], reply=True, timeout=10)
    if not replies:
        raise TimeoutError(f"worker {name} did not answer: it would go on taking tasks")
