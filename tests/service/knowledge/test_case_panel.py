"""The case page's suggested articles: a slot in the sidebar (the service module's panel registry)
that loads them from ``knowledge:case-suggestions`` once the page is shown."""

from __future__ import annotations

from django.test import RequestFactory

from modules.service.knowledge.choices import Visibility
from modules.service.panels import panels_for
from tests.api.service.helpers import service_agent
from tests.service.conftest import make_case
from tests.service.knowledge.conftest import make_article
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant


def request_of(alpha: TenantFixture, email: str | None = None) -> object:
    request = RequestFactory().get("/", HTTP_HOST=alpha.host)
    request.user = alpha.user(email) if email else alpha.user()
    request.tenant = alpha.tenant
    return request


def test_the_sidebar_suggests_articles_for_the_case_subject(alpha: TenantFixture) -> None:
    public = make_article(alpha, "Printer offline", "<div>Restart the printer.</div>", visibility=Visibility.PUBLIC)
    make_article(alpha, "Printer warranty limits", visibility=Visibility.INTERNAL)
    make_article(alpha, "Unrelated invoices")
    case = make_case(alpha, subject="The printer does not print")

    response = alpha.client().get(f"/service/knowledge/cases/{case.pk}/suggestions/")

    assert response.status_code == 200
    html = response.text
    assert "Printer offline" in html
    assert "Printer warranty limits" in html
    assert "Unrelated invoices" not in html
    # Only the public article is offered for the reply the customer reads: its words, and its link
    # in the customer portal.
    assert html.count("data-knowledge-insert=") == 2
    assert 'data-knowledge-insert="Restart the printer."' in html
    assert f'data-knowledge-insert="/portal/help/{public.pk}/" data-absolute="true"' in html
    assert "onclick" not in html


def test_the_panel_is_not_shown_to_a_user_who_cannot_read_the_knowledge_base(alpha: TenantFixture) -> None:
    make_article(alpha, "Printer offline")
    case = make_case(alpha, subject="Printer")
    with alpha.active():
        keys = [panel.key for panel, _context in panels_for(request_of(alpha, REP_EMAIL), case, "sidebar")]
    assert "knowledge-suggestions" not in keys
    grant(alpha, "sales_rep", "service.view")
    with alpha.active():
        keys = [panel.key for panel, _context in panels_for(request_of(alpha, REP_EMAIL), case, "sidebar")]
    assert "knowledge-suggestions" in keys


def test_the_case_page_loads_the_suggestions_into_its_slot(alpha: TenantFixture) -> None:
    make_article(alpha, "Printer offline", "<div>Restart the printer.</div>")
    case = make_case(alpha, subject="Printer broken")
    client = alpha.client()

    page = client.get(f"/cases/{case.pk}/")
    slot = client.get(f"/service/knowledge/cases/{case.pk}/suggestions/", HTTP_HX_REQUEST="true")

    assert page.status_code == 200
    assert f'hx-get="/service/knowledge/cases/{case.pk}/suggestions/"' in page.text
    assert "Printer offline" not in page.text  # not searched while the page is built
    assert 'data-testid="knowledge-suggestions"' in slot.text
    assert "Printer offline" in slot.text


def test_the_suggestions_of_a_case_need_the_case_and_the_knowledge_base(
    alpha: TenantFixture, beta: TenantFixture
) -> None:
    make_article(alpha, "Printer offline")
    # The admin's case: an agent who sees their own cases (and unassigned ones) cannot see it.
    hidden = make_case(alpha, subject="Printer of the boss", owner=alpha.user())
    service_agent(alpha)
    path = f"/service/knowledge/cases/{hidden.pk}/suggestions/"

    rep = alpha.client(REP_EMAIL).get(path)  # a role without service.view
    agent = alpha.client("agent@example.test").get(path)
    missing = alpha.client().get("/service/knowledge/cases/999999999/suggestions/")

    assert rep.status_code == 403
    assert agent.status_code == 404
    assert missing.status_code == 404
    assert_cross_tenant_requests_fail(alpha, beta, [("get", path, {})])
