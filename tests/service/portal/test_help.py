"""Help articles in the portal: published public articles only, searched with the knowledge base's
full-text search; internal, draft and another tenant's articles are not found; bad searches name q."""

from __future__ import annotations

from modules.service.knowledge.choices import Visibility
from modules.service.knowledge.models import ArticleRating
from tests.service.knowledge.conftest import make_article
from tests.service.portal.helpers import make_portal_user, portal_client
from tests.tenancy import TenantFixture, schema_snapshot


def test_customers_read_search_and_rate_public_articles_only(alpha: TenantFixture):
    public = make_article(alpha, "Resetting the router", "<div>Hold the reset button for ten seconds.</div>")
    internal = make_article(alpha, "Router escalation matrix", visibility=Visibility.INTERNAL)
    draft = make_article(alpha, "Router firmware notes", published=False)
    customer = make_portal_user(alpha)
    client = portal_client(alpha, customer)

    listing = client.get("/portal/help/")
    found = client.get("/portal/help/", {"q": "router"})
    page = client.get(f"/portal/help/{public.pk}/")
    rated = client.post(f"/portal/help/{public.pk}/rate/", {"helpful": "yes"})

    assert b"Resetting the router" in listing.content
    assert b"escalation" not in listing.content
    assert b"firmware" not in listing.content
    assert b"Resetting the router" in found.content
    assert b"escalation" not in found.content
    assert b"firmware" not in found.content
    assert b"Hold the reset button" in page.content
    assert rated.status_code == 302
    for hidden in (internal, draft):
        assert client.get(f"/portal/help/{hidden.pk}/").status_code == 404
        assert client.post(f"/portal/help/{hidden.pk}/rate/", {"helpful": "yes"}).status_code == 404
    with alpha.active():
        assert list(ArticleRating.objects.values_list("article_id", "contact_id", "helpful")) == [
            (public.pk, customer.contact_id, True)
        ]


def test_another_tenants_article_is_not_found_and_bad_searches_name_q(alpha: TenantFixture, beta: TenantFixture):
    theirs = make_article(beta, "Beta's secret recipe")
    client = portal_client(alpha, make_portal_user(alpha))
    before = schema_snapshot(beta.tenant)

    other = client.get(f"/portal/help/{theirs.pk}/")
    nul = client.get("/portal/help/", {"q": "router\x00"})
    huge = client.get("/portal/help/", {"q": "x" * 5000})

    assert other.status_code == 404
    assert nul.status_code == 400
    assert b'id="help-q-errors"' in nul.content
    assert huge.status_code == 400
    assert b'id="help-q-errors"' in huge.content
    assert schema_snapshot(beta.tenant) == before
