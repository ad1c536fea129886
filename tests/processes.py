"""Real processes for tests: a gunicorn server or a Celery worker on the test database."""

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


def start_celery_worker(environment: dict[str, str], log_file: Path) -> subprocess.Popen[bytes]:
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
            f"test-{os.getpid()}@%h",
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
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
