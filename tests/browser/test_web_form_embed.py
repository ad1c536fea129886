"""A web form embedded in a page of ANOTHER origin (a second local HTTP server): a visitor fills it
in, the lead is created and a workflow rule with the "form submitted" trigger runs in the worker.
A page on an origin the form does not allow gets no form at all (the browser's CORS check)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from customization.events.models import DomainEvent
from customization.workflows.models import WorkflowRule, WorkflowRun
from modules.contacts.models import TimelineEntry
from modules.marketing.webforms import protection
from modules.marketing.webforms.models import Submission, WebForm
from modules.marketing.webforms.services.forms import create_form
from modules.sales.models import Lead
from tenants.models import Tenant
from tests.browser.conftest import GunicornServer, database_access
from tests.processes import free_port, wait_until

pytestmark = pytest.mark.browser

# A loaded machine makes the server's first requests slow (every app and URL is loaded then).
SLOW_MACHINE_TIMEOUT = 30_000


@dataclass(frozen=True)
class Site:
    origin: str


def _site(body: bytes) -> Iterator[Site]:
    """A plain HTTP server on another port of 127.0.0.1 (another origin) serving one page."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(origin=f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
        server.server_close()


def _page(server: GunicornServer, key: str) -> bytes:
    script = server.url("alpha", "/f/embed.js")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Partner site</title></head><body>"
        f"<h1>Book a demo</h1><div data-relata-form='{key}' id='slot'></div>"
        f"<script src='{script}' async></script></body></html>"
    ).encode()


@dataclass(frozen=True)
class Setup:
    key: str
    form_id: int
    rule_id: int


@pytest.fixture
def setup(gunicorn_server: GunicornServer, django_db_blocker: Any) -> Iterator[tuple[Setup, Site, Site]]:
    key = f"demo-{uuid.uuid4().hex[:6]}"
    sites = [_site(_page(gunicorn_server, key)), _site(_page(gunicorn_server, key))]
    allowed, other = (next(site) for site in sites)
    with database_access(django_db_blocker):
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            form = create_form(by=None, name="Book a demo", key=key, allowed_origins=[allowed.origin],
                               thank_you_message="Thanks, we will be in touch.", fields=[
                                   {"field": "last_name", "required": True, "label": {"en": "Your name"}},
                                   {"field": "email", "required": True, "label": {"en": "Work e-mail"}},
                                   {"field": "company_name", "required": False},
                               ])  # fmt: skip
            rule = WorkflowRule.objects.create(
                name="Tag demo requests", entity="lead", trigger="form_submitted", trigger_config={"form": key},
                conditions={}, actions=[{"type": "update_field", "field": "description", "value": "Demo requested"}],
                is_active=True,
            )  # fmt: skip
    yield Setup(key, form.pk, rule.pk), allowed, other
    for site in sites:
        next(site, None)
    with database_access(django_db_blocker), tenant_context(tenant):
        leads = list(Submission.objects.filter(form_id=form.pk).values_list("lead_id", flat=True))
        WorkflowRun.objects.filter(rule_id=rule.pk).delete()
        WorkflowRule.objects.filter(pk=rule.pk).delete()
        DomainEvent.objects.filter(record_id__in=leads, entity="lead").delete()
        TimelineEntry.objects.filter(lead_id__in=leads).delete()
        WebForm.objects.filter(pk=form.pk).delete()
        Lead.objects.filter(pk__in=leads).delete()


def test_a_visitor_on_another_site_becomes_a_lead_and_the_rule_runs(
    setup: tuple[Setup, Site, Site], page: Page, gunicorn_server: GunicornServer, django_db_blocker: Any
) -> None:
    form, allowed, other = setup
    page.set_default_timeout(SLOW_MACHINE_TIMEOUT)
    page.set_default_navigation_timeout(SLOW_MACHINE_TIMEOUT)
    # The form's own hosted page, on the workspace's host, works without the other site.
    page.goto(gunicorn_server.url("alpha", f"/f/{form.key}/"))
    expect(page.get_by_test_id("web-form")).to_be_visible()
    expect(page.get_by_label("Your name")).to_be_visible()

    page.goto(f"{allowed.origin}/?utm_source=partner&utm_medium=referral&utm_campaign=spring")
    embedded = page.get_by_test_id("relata-embedded-form")
    expect(embedded).to_be_visible(timeout=SLOW_MACHINE_TIMEOUT)
    # A person takes a few seconds to fill a form in; faster is how robots are told apart.
    page.wait_for_timeout((protection.MIN_FILL_SECONDS + 1) * 1000)
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Work e-mail").fill("not an address")
    embedded.get_by_role("button").click()
    expect(page.locator("[data-field=email] .relata-form-error")).not_to_be_empty(timeout=SLOW_MACHINE_TIMEOUT)
    page.get_by_label("Work e-mail").fill("grace@example.test")
    embedded.get_by_role("button").click()
    expect(page.get_by_test_id("relata-form-thanks")).to_have_text(
        "Thanks, we will be in touch.", timeout=SLOW_MACHINE_TIMEOUT
    )

    def rule_ran() -> bool:
        with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
            return WorkflowRun.objects.filter(rule_id=form.rule_id, status="succeeded").exists()

    wait_until(rule_ran, timeout=60, what="the form_submitted rule to run")
    with database_access(django_db_blocker), tenant_context(Tenant.objects.get(slug="alpha")):
        submission = Submission.objects.get(form_id=form.form_id)
        lead = Lead.objects.get(pk=submission.lead_id)
        assert (lead.last_name, lead.email, lead.source) == ("Grace Hopper", "grace@example.test", "referral")
        assert lead.description == "Demo requested"
        assert (submission.utm_source, submission.utm_campaign) == ("partner", "spring")
        assert submission.page_url.startswith(allowed.origin)
        assert WorkflowRun.objects.get(rule_id=form.rule_id).record_id == lead.pk

    # The same page on an origin the form does not list: the browser refuses the answer, no form.
    refused = page.context.new_page()
    refused.set_default_navigation_timeout(SLOW_MACHINE_TIMEOUT)
    refused.goto(f"{other.origin}/")
    refused.wait_for_load_state("networkidle", timeout=SLOW_MACHINE_TIMEOUT)
    expect(refused.get_by_test_id("relata-embedded-form")).to_have_count(0)
