"""A real CalDAV server for tests: Radicale (from PyPI, a development dependency) started with a
generated configuration under the worktree's ``var/test/radicale-<pid>-<port>``: one htpasswd
user, plain HTTP on a free loopback port, file storage, stopped at the end of the session.

``caldav_server.new_calendar()`` makes an empty calendar collection and returns its URL; the
helpers write, read and delete events in it as another calendar program would. Use it from any
test package: ``from tests.caldav_server import caldav_server  # noqa: F401`` in its conftest."""

from __future__ import annotations

import base64
import http.client
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.processes import BASE_DIR, free_port, wait_until

HOST = "127.0.0.1"


class CalDAVServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.user = "rep"
        self.password = "caldav-test-password"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        (self.root / "collections").mkdir(parents=True, exist_ok=True)
        self.set_password(self.password)
        config = self.root / "config"
        config.write_text(
            f"""
[server]
hosts = {HOST}:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {self.root}/users
htpasswd_encryption = plain
delay = 0
[storage]
filesystem_folder = {self.root}/collections
[rights]
type = owner_only
[web]
type = none
[logging]
level = warning
"""
        )
        log = (self.root / "radicale.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        wait_until(self._answers, timeout=30, what="radicale start")

    def set_password(self, password: str) -> None:
        """Change the user's password (as revoking an app password does)."""
        (self.root / "users").write_text(f"{self.user}:{password}\n")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"radicale exited: {(self.root / 'radicale.log').read_text()[-2000:]}")
        try:
            return self.request("OPTIONS", "/")[0] < 500
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None) -> tuple[int, str]:
        credentials = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            connection.request(
                method, path, body=body.encode(), headers={"Authorization": f"Basic {credentials}", **(headers or {})}
            )
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def new_calendar(self) -> str:
        """An empty calendar collection of the user; its URL."""
        path = f"/{self.user}/{uuid.uuid4().hex}/"
        body = (
            '<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>Work</d:displayname>'
            "</d:prop></d:set></c:mkcalendar>"
        )
        status, text = self.request("MKCALENDAR", path, body, {"Content-Type": "application/xml"})
        assert status == 201, (status, text)
        return f"{self.base_url}{path}"

    def put(self, calendar_url: str, name: str, ics: str) -> None:
        status, text = self.request(
            "PUT", f"{urlsplit(calendar_url).path}{name}", ics, {"Content-Type": "text/calendar"}
        )
        assert status in (201, 204), (status, text)

    def get(self, calendar_url: str, name: str) -> str | None:
        status, text = self.request("GET", f"{urlsplit(calendar_url).path}{name}")
        return text if status == 200 else None

    def delete(self, calendar_url: str, name: str) -> None:
        status, text = self.request("DELETE", f"{urlsplit(calendar_url).path}{name}")
        assert status in (200, 204), (status, text)

    def names(self, calendar_url: str) -> list[str]:
        """The event resources' names in the collection."""
        folder = self.root / "collections" / "collection-root" / urlsplit(calendar_url).path.strip("/")
        return sorted(path.name for path in folder.glob("*.ics"))


@pytest.fixture(scope="session")
def caldav_server() -> Iterator[CalDAVServer]:
    root = BASE_DIR / "var" / "test" / f"radicale-{os.getpid()}-{free_port()}"
    server = CalDAVServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
