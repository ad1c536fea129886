"""Notes and files in the browser: a rep writes a note mentioning a colleague, who is notified
(the bell's toast arrives without a reload); the rep attaches a file and downloads it; another
rep and another tenant get 404 for it. Screenshots (1440×900, 390×844) of the record page with
its notes and files land in var/screenshots/notes-*.png for a person to look at."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from identity.models import Role, User
from identity.services.accounts import ensure_user
from modules.collaboration.models import Attachment
from modules.contacts.models import Company, TimelineEntry
from modules.sales.models import Order
from modules.sales.services.orders import create_order
from tenants.models import Tenant
from tests.browser.conftest import MOBILE, SCREENSHOT_DIR, GunicornServer, database_access, sign_in
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS
from tests.tenancy import ADMIN_EMAIL, PASSWORD, REP_EMAIL

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 900}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass(frozen=True)
class Setting:
    alpha_url: str
    beta_url: str
    marker: str
    company_pk: int
    colleague_email: str
    stranger_email: str


@pytest.fixture
def setting(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[Setting]:
    """In alpha (committed): a company the rep owns, a colleague who may see it (read-only role)
    and another rep who may not; removed again afterwards."""
    marker = uuid.uuid4().hex[:6]
    colleague_email, stranger_email = f"carla-{marker}@example.test", f"sam-{marker}@example.test"
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            rep = User.objects.get(email=REP_EMAIL)
            company = Company.objects.create(name=f"Notes Co {marker}", owner=rep, industry="Logistics")
            ensure_user(
                email=colleague_email, password=PASSWORD, role=Role.objects.get(key="read_only"),
                full_name=f"Carla Colleague {marker}",
            )  # fmt: skip
            ensure_user(
                email=stranger_email, password=PASSWORD, role=Role.objects.get(key="sales_rep"),
                full_name=f"Sam Stranger {marker}",
            )  # fmt: skip
    yield Setting(
        gunicorn_server.url("alpha"), gunicorn_server.url("beta"), marker, company.pk, colleague_email, stranger_email
    )
    with database_access(django_db_blocker), tenant_context(tenant):
        TimelineEntry.objects.filter(company_id=company.pk).delete()
        for attachment in Attachment.objects.filter(company_id=company.pk):
            attachment.delete()  # its file goes once this commits
        Company.objects.filter(pk=company.pk).delete()
        User.objects.filter(email__in=[colleague_email, stranger_email]).delete()


def _watched(context: BrowserContext, problems: list[str]) -> Page:
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        if message.text.startswith("Failed to load resource"):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"{page.url}: console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return page


def _shot(page: Page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"notes-{name}.png"), full_page=True)


def test_a_note_mentions_a_colleague_who_is_told_live_and_a_file_goes_up_and_down(
    new_context: Callable[..., BrowserContext], setting: Setting, tmp_path
) -> None:
    problems: list[str] = []
    company_url = f"{setting.alpha_url}companies/{setting.company_pk}/"
    colleague_name = f"Carla Colleague {setting.marker}"

    # The colleague has a page open: the bell polls, so the mention arrives without a reload.
    colleague = _watched(new_context(viewport=WIDE), problems)
    sign_in(colleague, setting.alpha_url, setting.colleague_email, PASSWORD)
    expect(colleague).to_have_url(setting.alpha_url, timeout=30_000)
    colleague.goto(f"{setting.alpha_url}activities/")
    expect(colleague.get_by_test_id("notification-bell")).to_be_visible()

    rep = _watched(new_context(viewport=WIDE), problems)
    sign_in(rep, setting.alpha_url, REP_EMAIL, PASSWORD)
    expect(rep).to_have_url(setting.alpha_url, timeout=30_000)
    rep.goto(company_url)
    editor = rep.get_by_test_id("note-editor")
    expect(editor).to_be_visible()
    editor.click()
    rep.keyboard.type("Please check the ")
    bold = rep.locator("trix-toolbar button[data-trix-attribute=bold]")
    bold.click()
    expect(bold).to_have_class(re.compile("trix-active"))
    rep.keyboard.type("delivery")
    bold.click()
    expect(bold).not_to_have_class(re.compile("trix-active"))
    rep.keyboard.type(" terms with @Carla Coll")
    options = rep.get_by_test_id("mention-list").locator("[data-user-id]")
    expect(options.first).to_contain_text(colleague_name)
    rep.keyboard.press("Enter")
    rep.keyboard.type("before Friday.")
    rep.get_by_test_id("note-submit").click()

    expect(rep.locator(".alert").filter(has_text=f"Notified: {colleague_name}.")).to_be_visible()
    note = rep.get_by_test_id("timeline-note").first
    expect(note).to_contain_text(f"Please check the delivery terms with @{colleague_name} before Friday.")
    expect(note.locator("strong")).to_have_text("delivery")
    expect(note.locator('a[href^="#mention-"]')).to_have_count(1)

    # A file: up, listed, on the timeline, and down again with the same bytes.
    upload = tmp_path / "Delivery terms.pdf"
    upload.write_bytes(PDF)
    rep.locator("#attachment-file").set_input_files(str(upload))
    rep.get_by_test_id("attachment-form").locator("button[type=submit]").click()
    link = rep.get_by_test_id("attachment-link").filter(has_text="Delivery terms.pdf")
    expect(link).to_be_visible()
    with rep.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "Delivery terms.pdf"
    assert Path(download.path()).read_bytes() == PDF
    download_url = setting.alpha_url.rstrip("/") + link.get_attribute("href")

    rep.set_viewport_size(WIDE)
    rep.reload()
    expect(rep.get_by_test_id("attachment-link")).to_have_count(1)
    expect(rep.get_by_test_id("timeline-note")).to_have_count(1)
    _shot(rep, "record-1440")
    rep.set_viewport_size(MOBILE)
    rep.reload()
    expect(rep.get_by_test_id("attachment-link")).to_have_count(1)
    _shot(rep, "record-390")

    # The colleague's bell shows it within a poll (20 s), as a toast, without a reload.
    toast = colleague.get_by_test_id("notification-toast")
    expect(toast).to_contain_text(f"mentioned you in a note on Notes Co {setting.marker}", timeout=30_000)
    expect(colleague.get_by_test_id("unread-count")).to_have_text("1")
    _shot(colleague, "toast-1440")
    toast.locator("a").click()
    expect(colleague).to_have_url(company_url)

    # Another rep (not the owner) and another tenant's admin get 404 for the file.
    stranger = new_context().new_page()
    sign_in(stranger, setting.alpha_url, setting.stranger_email, PASSWORD)
    expect(stranger).to_have_url(setting.alpha_url, timeout=30_000)
    assert stranger.goto(download_url).status == 404
    outsider = new_context().new_page()
    sign_in(outsider, setting.beta_url, ADMIN_EMAIL, PASSWORD)
    expect(outsider).to_have_url(setting.beta_url, timeout=30_000)
    path = download_url.split("localhost:", 1)[1].split("/", 1)[1]
    assert outsider.goto(f"{setting.beta_url}{path}").status == 404

    violations = [v for page in (rep, colleague) for v in page.evaluate("window.__violations")]
    assert violations == []
    assert problems == []


@pytest.fixture
def order_setting(gunicorn_server: GunicornServer, django_db_blocker: Any, setting: Setting) -> Iterator[int]:
    """An order of the rep's company in alpha (committed), removed again afterwards."""
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            rep = User.objects.get(email=REP_EMAIL)
            order = create_order(
                by=rep, company=Company.objects.get(pk=setting.company_pk), currency="EUR",
                lines=[{"description": "Pallet racking", "unit_price": Decimal("120.00")}],
            )  # fmt: skip
    yield order.pk
    with database_access(django_db_blocker), tenant_context(tenant):
        TimelineEntry.objects.filter(order_id=order.pk).delete()
        for attachment in Attachment.objects.filter(order_id=order.pk):
            attachment.delete()  # its file goes once this commits
        Order.objects.filter(pk=order.pk).delete()


def test_an_order_takes_a_note_and_a_file_like_any_record(
    new_context: Callable[..., BrowserContext], setting: Setting, order_setting: int, tmp_path
) -> None:
    problems: list[str] = []
    order_url = f"{setting.alpha_url}orders/{order_setting}/"
    rep = _watched(new_context(viewport=WIDE), problems)
    sign_in(rep, setting.alpha_url, REP_EMAIL, PASSWORD)
    expect(rep).to_have_url(setting.alpha_url, timeout=30_000)
    rep.goto(order_url)

    editor = rep.get_by_test_id("note-editor")
    expect(editor).to_be_visible()
    editor.click()
    rep.keyboard.type("Deliver to the back gate.")
    rep.get_by_test_id("note-submit").click()
    expect(rep).to_have_url(re.compile(rf"/orders/{order_setting}/"))
    history = rep.get_by_test_id("order-history")
    expect(history.get_by_test_id("timeline-note")).to_contain_text("Deliver to the back gate.")
    expect(history).to_contain_text("placed")

    upload = tmp_path / "Packing list.pdf"
    upload.write_bytes(PDF)
    rep.locator("#attachment-file").set_input_files(str(upload))
    rep.get_by_test_id("attachment-form").locator("button[type=submit]").click()
    link = rep.get_by_test_id("attachment-link").filter(has_text="Packing list.pdf")
    expect(link).to_be_visible()
    with rep.expect_download() as download_info:
        link.click()
    assert Path(download_info.value.path()).read_bytes() == PDF
    download_url = setting.alpha_url.rstrip("/") + link.get_attribute("href")
    rep.get_by_test_id("follow-button").click()
    expect(rep.get_by_test_id("follow-button")).to_have_attribute("aria-pressed", "true")
    expect(history.get_by_test_id("timeline-note")).to_be_visible()  # the timeline has loaded again

    _shot(rep, "order-1440")
    rep.set_viewport_size(MOBILE)
    rep.reload()
    expect(rep.get_by_test_id("attachment-link")).to_have_count(1)
    expect(history.get_by_test_id("timeline-note")).to_be_visible()
    _shot(rep, "order-390")

    stranger = new_context().new_page()
    sign_in(stranger, setting.alpha_url, setting.stranger_email, PASSWORD)
    expect(stranger).to_have_url(setting.alpha_url, timeout=30_000)
    assert stranger.goto(download_url).status == 404
    assert stranger.goto(order_url).status == 404
    outsider = new_context().new_page()
    sign_in(outsider, setting.beta_url, ADMIN_EMAIL, PASSWORD)
    expect(outsider).to_have_url(setting.beta_url, timeout=30_000)
    path = download_url.split("localhost:", 1)[1].split("/", 1)[1]
    assert outsider.goto(f"{setting.beta_url}{path}").status == 404

    assert rep.evaluate("window.__violations") == []
    assert problems == []
