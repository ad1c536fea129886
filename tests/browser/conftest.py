"""Browser tests: Debian's Chromium, driven by Playwright, against a real gunicorn server.

The server runs as a subprocess on the pytest-django test database, so it only sees committed
data: browser tests must NOT use the ``db`` fixture (its transaction is invisible to the server).
What they need in the database they create inside ``database_access(django_db_blocker)`` and,
when it is not session-wide, remove again. E-mails the app sends (the Celery worker sends invitations)
land as files in ``gunicorn_server.mail_dir``.

Chromium is started once for this package (``scope="package"``) and stopped when its last test
has run: Playwright's sync API keeps an asyncio loop marked as running in the main thread, and
Django refuses database calls in such a thread, so it must not outlive the browser tests.

On failure every open page is saved under ``var/screenshots/failures/`` (under ``make test``'s
parallel processes, in a folder per process: each process that runs browser files starts its own
Chromium, gunicorn, worker and demo tenant, see ``tests/scheduling.py``).
"""

from __future__ import annotations

import email
import email.policy
import io
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.google_server import GoogleServer
from tests.msgraph_server import CLIENT_ID, CLIENT_SECRET, HOST, FakeMicrosoft, _Handler
from tests.processes import free_port, start_gunicorn, stop, test_process_environment, wait_until
from tests.service.contact_centre.fake_twilio import FakeTwilio, running_fake_twilio

BASE_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = BASE_DIR / "var" / "screenshots"
# This process's own: another process's Chromium starting later must not remove what this one saved.
FAILURES_DIR = SCREENSHOT_DIR / "failures" / os.environ.get("PYTEST_XDIST_WORKER", "")
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
DEMO_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.example"


@dataclass(frozen=True)
class GunicornServer:
    port: int
    mail_dir: Path
    log_file: Path

    def url(self, slug: str, path: str = "/") -> str:
        return f"http://{slug}.localhost:{self.port}{path}"


@dataclass(frozen=True)
class DemoTenant:
    url: str  # with a trailing slash
    admin_email: str
    admin_password: str


@pytest.fixture(scope="session")
def browser_twilio() -> Iterator[FakeTwilio]:
    """The fake Twilio the server's calls and SMS go to (click-to-dial in the browser)."""
    with running_fake_twilio() as fake:
        yield fake


@dataclass(frozen=True)
class OAuthStandIns:
    """The local Microsoft identity platform / Graph and Google the server's connect buttons use."""

    microsoft: FakeMicrosoft
    google: GoogleServer

    def environment(self) -> dict[str, str]:
        microsoft, google = self.microsoft.settings()["microsoft"], self.google.base_url
        return {
            "MICROSOFT_CLIENT_ID": CLIENT_ID, "MICROSOFT_CLIENT_SECRET": CLIENT_SECRET,
            "MICROSOFT_AUTHORIZE_URL": microsoft["authorize_url"], "MICROSOFT_TOKEN_URL": microsoft["token_url"],
            "MICROSOFT_GRAPH_URL": microsoft["api_url"],
            "GOOGLE_CLIENT_ID": "relata-google-client", "GOOGLE_CLIENT_SECRET": "relata-google-secret",
            "GOOGLE_AUTHORIZE_URL": f"{google}/authorize", "GOOGLE_TOKEN_URL": f"{google}/token",
            "GOOGLE_USERINFO_URL": f"{google}/userinfo", "GOOGLE_REVOKE_URL": f"{google}/revoke",
            "GOOGLE_GMAIL_API_URL": f"{google}/gmail/v1", "GOOGLE_CALENDAR_API_URL": f"{google}/calendar/v3",
        }  # fmt: skip


@pytest.fixture(scope="session")
def oauth_stand_ins() -> Iterator[OAuthStandIns]:
    """Two loopback HTTP servers (threads), so the server offers "Connect Microsoft 365" and
    "Connect Google" and a browser test can go through their consent and back."""
    microsoft = FakeMicrosoft(email="ada@contoso.example")
    microsoft.server = ThreadingHTTPServer((HOST, 0), type("Handler", (_Handler,), {"fake": microsoft}))
    threading.Thread(target=microsoft.server.serve_forever, daemon=True).start()
    google = GoogleServer()
    google.state.email = "ada@gmail.example"
    google.start()
    try:
        yield OAuthStandIns(microsoft, google)
    finally:
        google.stop()
        microsoft.server.shutdown()
        microsoft.server.server_close()


@pytest.fixture(scope="session")
def gunicorn_server(
    celery_worker: Path,
    browser_twilio: FakeTwilio,
    oauth_stand_ins: OAuthStandIns,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GunicornServer]:
    """gunicorn configured as in production (infra/gunicorn.conf.py) on the test database.

    Its e-mails go where the worker's do.

    ``celery_worker`` depends on ``django_db_setup``, so the database is already renamed to the
    test one when the environment is built.
    """
    work_dir = tmp_path_factory.mktemp("gunicorn")
    log_file = work_dir / "gunicorn.log"
    port = free_port()
    environment = test_process_environment(celery_worker)
    environment["TWILIO_API_BASE"] = browser_twilio.url
    environment.update(oauth_stand_ins.environment())
    process = start_gunicorn(environment, log_file, port)
    try:
        yield GunicornServer(port=port, mail_dir=celery_worker, log_file=log_file)
    finally:
        stop(process)


@contextmanager
def database_access(django_db_blocker: Any) -> Iterator[None]:
    """Database calls from a browser test or fixture: committed at once, seen by the server.

    While Playwright runs, its event loop looks "running" to Django's async-safety check, which
    then refuses every query. The loop is idle while our synchronous code runs (Playwright's
    sync API only drives it inside its own calls), so the check is lifted for this block only.

    The connection is closed afterwards. Django keeps connections per thread and per context, and
    once Playwright runs this code gets a connection of its own, apart from the one pytest-django
    later drops the test database with; left open, it would make that drop fail.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with django_db_blocker.unblock():
            try:
                yield
            finally:
                connection.set_schema_to_public()
                connection.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def demo_tenant(gunicorn_server: GunicornServer, django_db_blocker: Any) -> DemoTenant:
    """The demo tenant, created by the same command ``make run`` uses (committed, on purpose)."""
    with database_access(django_db_blocker):
        call_command("bootstrap_demo", port=str(gunicorn_server.port), stdout=io.StringIO())
    return DemoTenant(
        url=gunicorn_server.url(DEMO_SLUG),
        admin_email=DEMO_ADMIN_EMAIL,
        admin_password=os.environ.get("DEMO_ADMIN_PASSWORD", "relata-demo-2026"),
    )


# --- Playwright -------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def chromium(django_db_setup: None) -> Iterator[Browser]:
    """One Chromium for the browser tests, started after the test database is set up."""
    shutil.rmtree(FAILURES_DIR, ignore_errors=True)  # only this run's failures
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def new_context(
    chromium: Browser, gunicorn_server: GunicornServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """A factory of fresh browser contexts (no cookies); all are closed after the test."""
    contexts: list[BrowserContext] = []

    def factory(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-US")
        context = chromium.new_context(**options)
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(15_000)
        contexts.append(context)
        return context

    yield factory
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        _save_failure_screenshots(request.node.nodeid, contexts)
        log_tail = gunicorn_server.log_file.read_text(errors="replace").splitlines()[-30:]
        print("gunicorn log (last lines):", *log_tail, sep="\n")  # noqa: T201
    for context in contexts:
        context.close()


def _save_failure_screenshots(nodeid: str, contexts: list[BrowserContext]) -> None:
    target = FAILURES_DIR
    target.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])
    pages = [page for context in contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        path = target / f"{stem}-{number}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # a crashed page must not hide the real failure
            print(f"could not save {path}: {error}")  # noqa: T201
        else:
            print(f"screenshot of the failing page: {path} ({page.url})")  # noqa: T201


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh desktop-sized context."""
    return new_context().new_page()


# --- Helpers the tests share ----------------------------------------------------------------------


def sign_in(page: Page, base_url: str, email_address: str, password: str) -> None:
    page.goto(f"{base_url}login/")
    page.locator("input[name=username]").fill(email_address)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()


def components_ready(page: Page) -> None:
    """Wait until the page's Alpine components are set up: a value typed or chosen before then is
    reset to the component's initial state (a slow machine shows it)."""
    page.locator("html[data-components=ready]").wait_for(state="attached")


def open_user_menu(page: Page) -> None:
    """Open the user menu once Bootstrap's script (deferred, the page's last) drives dropdowns: a
    click before then does nothing, which a loaded machine shows."""
    page.wait_for_function("() => window.bootstrap !== undefined")
    page.get_by_test_id("user-menu").click()


def sign_out(page: Page) -> None:
    open_user_menu(page)
    page.locator("form[action$='/logout/'] button[type=submit]").click()


def take_email(mail_dir: Path, recipient: str, *, timeout: float = 20) -> email.message.EmailMessage:
    """Wait for the e-mail to ``recipient`` that the file backend writes, and take it out of the box.

    The directory is the session's shared Celery mail box: files that held only mail to
    ``recipient`` are removed once read, so other tests counting mails there are not disturbed.
    """
    found: dict[Path, list[email.message.EmailMessage]] = {}

    def arrived() -> bool:
        found.clear()
        for path, messages in _read_mailbox(mail_dir).items():
            if any(recipient in str(message.get("To", "")) for message in messages):
                found[path] = messages
        return bool(found)

    wait_until(arrived, timeout=timeout, what=f"an e-mail to {recipient}", interval=0.2)
    mine = [message for messages in found.values() for message in messages if recipient in str(message["To"])]
    for path, messages in found.items():
        if all(recipient in str(message.get("To", "")) for message in messages):
            path.unlink()
    return mine[-1]


def _read_mailbox(mail_dir: Path) -> dict[Path, list[email.message.EmailMessage]]:
    # Django's file backend writes a file per connection: each message, then a line of 79 dashes.
    mailbox: dict[Path, list[email.message.EmailMessage]] = {}
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: (p.stat().st_mtime, p.name)):
        chunks = path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")
        mailbox[path] = [
            email.message_from_bytes(chunk.lstrip(), policy=email.policy.default) for chunk in chunks if chunk.strip()
        ]
    return mailbox


def email_text(message: email.message.EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, "the e-mail has no text part"
    return str(body.get_content())


def horizontal_overflow(page: Page) -> dict[str, Any]:
    """How much wider than the viewport the page is, and the innermost elements that stick out.

    Elements inside a scrolling box (``.table-responsive``) do not count, except absolutely
    positioned ones: those escape a box that is not positioned itself, and widen the page.
    """
    return page.evaluate(
        """() => {
            const root = document.documentElement;
            const limit = root.clientWidth;
            const scrolls = (node) => getComputedStyle(node).overflowX !== 'visible';
            const inScrollingBox = (el) => {
                if (getComputedStyle(el).position === 'absolute') return false;
                for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
                    if (scrolls(box)) return true;
                }
                return false;
            };
            const wide = [...document.body.querySelectorAll('*')].filter(
                (el) => el.getBoundingClientRect().right > limit + 1 && !inScrollingBox(el));
            const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
            const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + [...el.classList].map((name) => '.' + name).join('')
                + ' right=' + Math.round(el.getBoundingClientRect().right);
            return {scrollWidth: root.scrollWidth, clientWidth: limit, innerWidth: window.innerWidth,
                    culprits: innermost.slice(0, 10).map(describe)};
        }"""
    )
