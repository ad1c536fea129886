"""Screenshots of every workspace page at 1440×900 and 390×844, for a person to look at.

Signs in to a running demo (``PORT=8000 make run``), walks the navigation, the settings menu, a
record page of each kind and the pages beside them, and writes full-page PNGs into the output
folder: ``<page>-wide.png`` and ``<page>-phone.png``. It prints every page that is wider than the
screen (horizontal scrolling) and whether the top bar wraps at 1440 px.

    .venv/bin/python scripts/screenshot_pages.py --base http://demo.localhost:8000/ --out /tmp/shots
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
]
VIEWPORTS = {"wide": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
# Lists whose first record is screenshotted too: (list path, pattern of a record's path, whether
# the record has an edit page of its own).
RECORD_LISTS = [
    ("companies/", r"^/companies/\d+/$", True),
    ("contacts/", r"^/contacts/\d+/$", True),
    ("leads/", r"^/leads/\d+/$", True),
    ("deals/", r"^/deals/\d+/$", True),
    ("quotes/", r"^/quotes/\d+/$", False),
    ("orders/", r"^/orders/\d+/$", False),
    ("products/", r"^/products/\d+/$", False),
    ("activities/", r"^/activities/\d+/$", True),
]
EXTRA_PAGES = [
    "search/?q=a",
    "notifications/",
    "account/",
    "account/two-factor/",
    "settings/audit-log/",
    "companies/new/",
    "deals/new/",
    "activities/new/",
]
# Pages that would change something or leave the workspace.
SKIP = re.compile(r"/(logout|delete|export\.csv|download)/?|^/api/|/graphql|^#")

SHARED: list[str] = []  # the shared quote's link, made once for both sizes
OVERFLOW = """() => {
    const root = document.documentElement;
    const wide = [...document.body.querySelectorAll('*')].filter((el) => {
        if (el.getBoundingClientRect().right <= root.clientWidth + 1) return false;
        for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
            if (getComputedStyle(box).overflowX !== 'visible') return false;
        }
        return true;
    });
    const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
    return {width: root.scrollWidth, client: root.clientWidth,
            culprits: innermost.slice(0, 5).map((el) => el.tagName.toLowerCase()
                + [...el.classList].map((c) => '.' + c).join(''))};
}"""


def report(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(urljoin(base, "login/"))
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(base)


def switch_language(page: Page, language: str) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # on a phone the switcher is in the folded menu
        toggler.click()
        page.locator("#locale-select").wait_for(state="visible")
    with page.expect_navigation():
        page.locator("#locale-select").select_option(language)  # the switcher submits itself


def page_paths(page: Page, base: str) -> dict[str, str]:
    """Screenshot name → path: the navigation, the settings menu, one record per list, the rest."""
    paths: dict[str, str] = {}

    def add(path: str) -> None:
        path = urlsplit(urljoin(base, path))._replace(scheme="", netloc="").geturl()
        if SKIP.search(path) or path in paths.values():
            return
        name = re.sub(r"[^a-z0-9]+", "-", path.split("?")[0].lower()).strip("-") or "home"
        paths[name] = path

    page.goto(base)
    for href in page.locator("#main-nav a[href]").evaluate_all("links => links.map((a) => a.getAttribute('href'))"):
        add(href)
    page.goto(urljoin(base, "settings/users/"))
    for href in page.locator("[data-testid=settings-nav] a[href], nav[aria-label] .nav a[href]").evaluate_all(
        "links => links.map((a) => a.getAttribute('href'))"
    ):
        add(href)
    for list_path, pattern, has_edit_page in RECORD_LISTS:
        page.goto(urljoin(base, list_path))
        hrefs = page.locator("main a[href]").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
        record = next((href for href in hrefs if re.match(pattern, href)), None)
        if record:
            add(record)
            if has_edit_page:
                add(f"{record}edit/")
    for path in EXTRA_PAGES:
        add(path)
    if "quotes-" in " ".join(paths):  # the public page of a shared quote (sharing shows its link once)
        quote = next(path for name, path in paths.items() if re.match(r"^/quotes/\d+/$", path))
        page.goto(urljoin(base, quote))
        share = page.get_by_test_id("share-quote")
        if share.count() and not SHARED:
            page.once("dialog", lambda dialog: dialog.accept())  # "a new link replaces the current one"
            share.click()
            SHARED.append(page.get_by_test_id("shared-link").input_value())
        if SHARED:
            add(SHARED[0])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://demo.localhost:8000/")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs (outside the repository)")
    parser.add_argument("--email", default="admin@demo.example")
    parser.add_argument("--password", default="relata-demo-2026")
    parser.add_argument("--only", help="screenshot only the pages whose name contains this")
    parser.add_argument("--extra", action="append", default=[], help="another path to screenshot")
    parser.add_argument("--language", help="switch the account to this language first (and back to en after)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    # The public site (the host without the workspace's label): its home and "find your workspace".
    parts = urlsplit(args.base)
    public = parts._replace(netloc=parts.netloc.split(".", 1)[-1]).geturl()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
            page = context.new_page()
            first_pages = [
                ("public-home", public),
                ("public-sign-in", urljoin(public, "sign-in/")),
                ("signup", urljoin(public, "signup/")),
                ("login", urljoin(args.base, "login/")),
            ]
            for name, url in first_pages:
                page.goto(url)
                page.screenshot(path=str(args.out / f"{name}-{size}.png"), full_page=True)
                report(f"{size:5} {url}")
            sign_in(page, args.base, args.email, args.password)
            if args.language:
                switch_language(page, args.language)
            paths = page_paths(page, args.base)
            for extra in args.extra:
                paths[re.sub(r"[^a-z0-9]+", "-", extra.lower()).strip("-")] = extra
            for name, path in paths.items():
                if args.only and args.only not in name:
                    continue
                try:
                    response = page.goto(urljoin(args.base, path))
                except PlaywrightError as error:  # an error answer Chromium shows no page for
                    report(f"{size:5} --- {path:40} {error.message.splitlines()[0]}")
                    continue
                page.wait_for_load_state("networkidle")
                status = response.status if response else "?"
                overflow = page.evaluate(OVERFLOW)
                page.screenshot(path=str(args.out / f"{name}-{size}.png"), full_page=True)
                bar = page.locator("nav.navbar").first
                bar_height = bar.evaluate("el => el.getBoundingClientRect().height") if bar.count() else 0
                notes = []
                if overflow["width"] > overflow["client"]:
                    notes.append(f"wider than the screen: {overflow['width']}px {overflow['culprits']}")
                if size == "wide" and bar_height >= 70:
                    notes.append(f"top bar wraps: {bar_height:.0f}px")
                report(f"{size:5} {status} {path:40} {'; '.join(notes) or 'ok'}")
            if args.language:
                page.goto(args.base)
                switch_language(page, "en")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
