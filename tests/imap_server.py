"""A real IMAP server for tests: Debian's Dovecot (``scripts/ensure-dovecot.sh`` installs it)
started with a generated configuration under the worktree's ``var/test/dovecot-<pid>``: one
passwd-file user with a maildir, plain IMAP on a free loopback port, stopped at the end.

``imap_server.append(raw)`` puts a message in the inbox as a customer's mail server would;
``imap_server.user`` / ``password`` / ``port`` are what a support address needs. Use it from any
test package: ``from tests.imap_server import imap_server  # noqa: F401`` in that package's conftest."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import BASE_DIR, free_port, wait_until

HOST = "127.0.0.1"


def dovecot_binary() -> str:
    found = os.environ.get("DOVECOT_PATH") or shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(found).exists():
        pytest.fail("Dovecot is missing: run scripts/ensure-dovecot.sh (make pytest does)")
    return found


def _mail_owner() -> pwd.struct_passwd:
    """Dovecot does not serve mail as root: as root the mail belongs to its own 'dovecot' user."""
    if os.getuid() == 0:
        return pwd.getpwnam("dovecot")
    return pwd.getpwuid(os.getuid())


class ImapServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.user = "support"
        self.password = "imap-test-password"
        self.process: subprocess.Popen[bytes] | None = None

    def _configure(self) -> Path:
        owner = _mail_owner()
        for folder in ("run", "mail", "home"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        login_user = "dovenull" if os.getuid() == 0 else owner.pw_name
        config = self.root / "dovecot.conf"
        config.write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/run
log_path = {self.root}/dovecot.log
protocols = imap
listen = {HOST}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{self.root}/mail/%u
first_valid_uid = {owner.pw_uid}
default_login_user = {login_user}
default_internal_user = {owner.pw_name}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={self.root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {HOST}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
        )
        for path in [self.root, *self.root.rglob("*")]:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        return config

    def start(self) -> None:
        config = self._configure()
        self.process = subprocess.Popen(
            [dovecot_binary(), "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        wait_until(self._answers, timeout=20, what="dovecot start")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            log = self.root / "dovecot.log"
            raise RuntimeError(f"dovecot exited: {log.read_text()[-2000:] if log.exists() else ''}")
        try:
            client = imaplib.IMAP4(HOST, self.port, timeout=2)
        except OSError:
            return False
        client.logout()
        return True

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(HOST, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            typ, data = client.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
            assert typ == "OK", data
        finally:
            client.logout()

    def recreate(self, folder: str) -> None:
        """A rebuilt folder: deleted and made again with the same messages (a new UIDVALIDITY)."""
        client = self.client()
        try:
            client.select(folder, readonly=True)
            _typ, data = client.uid("SEARCH", None, "ALL")
            raws = []
            for uid in (data[0] or b"").split():
                _typ, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raws.append(bytes(fetched[0][1]))
            client.close()
            assert client.delete(folder)[0] == "OK"
            assert client.create(folder)[0] == "OK"
            for raw in raws:
                client.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
        finally:
            client.logout()

    def create(self, folder: str) -> None:
        client = self.client()
        try:
            assert client.create(folder)[0] == "OK"
        finally:
            client.logout()


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    root = BASE_DIR / "var" / "test" / f"dovecot-{os.getpid()}-{free_port()}"
    server = ImapServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
