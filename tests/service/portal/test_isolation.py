"""The portal isolation sweep: customer A's portal session against customer B's cases, files,
quotes and orders (404, nothing written), against every staff page and API route (sign-in
redirect, 401, 403 or 404, nothing written), and another tenant's portal user against this one."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from modules.sales.services.orders import create_order
from modules.sales.services.quote_sharing import share_quote
from modules.sales.services.quotes import add_line, create_quote
from modules.service.portal.services.requests import open_case
from modules.service.portal.views.base import SESSION_COOKIE
from tests.factories import DealFactory
from tests.routes import url_routes
from tests.service.portal.helpers import make_portal_user, portal_client
from tests.tenancy import TenantFixture, schema_snapshot


def _without_sessions(snapshot: dict[str, str]) -> dict[str, str]:
    snapshot.pop("service_portal_portalsession", None)
    return snapshot


def _customer_b_records(alpha: TenantFixture, settings, tmp_path) -> dict[str, int]:
    settings.PRIVATE_FILES_ROOT = tmp_path
    other = make_portal_user(alpha)
    with alpha.active():
        case = open_case(other, subject="B's case", description="Private",
                         attachments=[SimpleUploadedFile("b.txt", b"secret")])  # fmt: skip
        quote = create_quote(by=None, deal=DealFactory(contact=other.contact, company=other.contact.company))
        add_line(quote, by=None, description="B's line", unit_price=Decimal("5.00"))
        share_quote(quote, by=alpha.user())
        order = create_order(by=None, contact=other.contact, company=other.contact.company,
                             lines=[{"description": "B's order", "unit_price": "1.00"}])  # fmt: skip
        return {
            "case": case.pk, "file": case.messages.get().attachments.get().pk, "quote": quote.pk, "order": order.pk,
        }  # fmt: skip


def test_customer_a_gets_nothing_of_customer_b(alpha: TenantFixture, settings, tmp_path):
    b = _customer_b_records(alpha, settings, tmp_path)
    client = portal_client(alpha, make_portal_user(alpha))
    before = _without_sessions(schema_snapshot(alpha.tenant))

    requests = [
        ("get", f"/portal/cases/{b['case']}/", {}),
        ("post", f"/portal/cases/{b['case']}/reply/", {"body": "Written?"}),
        ("get", f"/portal/cases/{b['case']}/files/{b['file']}/", {}),
        ("get", f"/portal/quotes/{b['quote']}/", {}),
        ("post", f"/portal/quotes/{b['quote']}/answer/", {"answer": "accept", "name": "Intruder"}),
        ("get", f"/portal/orders/{b['order']}/", {}),
        ("get", f"/portal/cases/new/?order={b['order']}", {}),
        ("post", f"/portal/cases/new/?order={b['order']}", {"subject": "About B's order", "description": "Mine?"}),
    ]
    answers = {path: getattr(client, method)(path, data).status_code for method, path, data in requests}
    lists = b"".join(client.get(path).content for path in ("/portal/", "/portal/cases/", "/portal/quotes/",
                                                             "/portal/orders/"))  # fmt: skip

    assert set(answers.values()) == {404}, answers
    assert b"B&#x27;s case" not in lists
    assert b"B&#x27;s" not in lists
    assert _without_sessions(schema_snapshot(alpha.tenant)) == before


def _path(route: str) -> str:
    path = re.sub(r"<(?:\w+:)?\w+>", "1", route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return "/" + path.replace("^", "").replace("$", "")


def test_a_portal_session_opens_no_staff_page_or_api_route(alpha: TenantFixture, settings, tmp_path):
    _customer_b_records(alpha, settings, tmp_path)
    client = portal_client(alpha, make_portal_user(alpha))
    client.raise_request_exception = False
    before = _without_sessions(schema_snapshot(alpha.tenant))
    # Pages anyone may open without signing in: sign-in and its helpers, public links, static.
    open_to_anyone = re.compile(
        r"^(portal:|quote-public:|identity:(login|password-reset|invitation|set-locale|handoff|login-verify|logout)"
        r"|pwa-|api:(schema|redoc|swagger)|graphql:|oauth2_provider:|None$|shell:home$"
        # The web forms' embed script is a static script other sites load.
        r"|marketing-forms-public:embed-script$)"
    )

    problems = []
    for found in url_routes("crm_platform.urls_tenant"):
        if open_to_anyone.match(found.name):
            continue
        path = _path(found.route)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.status_code in (301, 302) and not response["Location"].startswith("/login/"):
                # A moved or index page: where it leads must refuse too.
                response = client.get(response["Location"])
            location = response.get("Location", "")
            refused = response.status_code in (401, 403, 404, 405, 410) or (
                response.status_code == 302 and location.startswith("/login/")
            )
            if not refused:
                problems.append(f"{method.upper()} {found.name} {path}: {response.status_code} {location}")

    assert problems == [], "\n".join(problems)
    assert _without_sessions(schema_snapshot(alpha.tenant)) == before


def test_another_tenants_portal_user_gets_nothing_here(alpha: TenantFixture, beta: TenantFixture):
    stolen = portal_client(beta, make_portal_user(beta))
    on_alpha = Client(HTTP_HOST=alpha.host)
    on_alpha.cookies[SESSION_COOKIE] = stolen.cookies[SESSION_COOKIE].value
    before = schema_snapshot(alpha.tenant)

    home = on_alpha.get("/portal/")
    opened = on_alpha.post("/portal/cases/new/", {"subject": "Written?", "description": "x"})

    assert home.status_code == 302
    assert home["Location"].startswith("/portal/sign-in/")
    assert opened.status_code == 302
    assert opened["Location"].startswith("/portal/sign-in/")
    assert schema_snapshot(alpha.tenant) == before
