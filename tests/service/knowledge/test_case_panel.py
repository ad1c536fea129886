"""The case page's suggested articles, through the service module's panel registry."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory

from modules.service.knowledge.choices import Visibility
from modules.service.panels import panels_for
from tests.service.conftest import make_case
from tests.service.knowledge.conftest import make_article
from tests.tenancy import REP_EMAIL, TenantFixture, grant


def request_of(alpha: TenantFixture, email: str | None = None) -> object:
    request = RequestFactory().get("/", HTTP_HOST=alpha.host)
    request.user = alpha.user(email) if email else alpha.user()
    request.tenant = alpha.tenant
    return request


def test_the_sidebar_suggests_articles_for_the_case_subject(alpha: TenantFixture) -> None:
    public = make_article(alpha, "Printer offline", "<div>Restart the printer.</div>", visibility=Visibility.PUBLIC)
    internal = make_article(alpha, "Printer warranty limits", visibility=Visibility.INTERNAL)
    make_article(alpha, "Unrelated invoices")
    case = make_case(alpha, subject="The printer does not print")
    with alpha.active():
        request = request_of(alpha)
        (panel, context), *_others = [
            found for found in panels_for(request, case, "sidebar") if found[0].key == "knowledge-suggestions"
        ]
        assert {hit.article.pk for hit, _link in context["knowledge_hits"]} == {public.pk, internal.pk}
        html = render_to_string(panel.template, {**context, "case": case}, request=request)
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


def test_the_case_page_shows_the_suggestions(alpha: TenantFixture) -> None:
    make_article(alpha, "Printer offline", "<div>Restart the printer.</div>")
    case = make_case(alpha, subject="Printer broken")
    page = alpha.client().get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert 'data-testid="knowledge-suggestions"' in page.text
    assert "Printer offline" in page.text
