"""A quote's public page: shared by its owner, opened without signing in, accepted (the order is
made) or declined; wrong, expired, withdrawn or foreign links and second answers change nothing."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from crm_platform.redaction import redact
from customization.events.models import DomainEvent
from identity.models import Role
from identity.services.accounts import create_user
from identity.services.api_keys import create_api_key
from modules.activities.models import Notification
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.sales import public_quote_views
from modules.sales.models import Order, Quote, QuoteShare
from modules.sales.services.quote_sharing import share_quote
from modules.sales.services.quotes import add_line, create_quote
from tenants.models import Tenant
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def draft_quote(alpha: TenantFixture, *, lines: int = 2, valid_days: int | None = 20) -> Quote:
    with alpha.active():
        owner = alpha.user()
        company = CompanyFactory(name="Beta Customer SA")
        deal = DealFactory(company=company, contact=ContactFactory(company=company), owner=owner, currency="EUR")
        valid_until = timezone.localdate() + timedelta(days=valid_days) if valid_days is not None else None
        quote = create_quote(deal=deal, by=owner, valid_until=valid_until)
        for index in range(lines):
            add_line(quote, by=owner, description=f"Service {index}", quantity=Decimal("2"),
                     unit_price=Decimal("100.00"), tax_rate=Decimal("19"))  # fmt: skip
        return Quote.objects.get(pk=quote.pk)


def shared(alpha: TenantFixture, **options) -> tuple[Quote, str]:
    quote = draft_quote(alpha, **options)
    with alpha.active():
        _share, token = share_quote(quote, by=alpha.user())
        return Quote.objects.get(pk=quote.pk), token


def customer(alpha: TenantFixture, **extra) -> Client:
    return Client(HTTP_HOST=alpha.host, REMOTE_ADDR="203.0.113.7", **extra)


def test_the_owner_shares_a_draft_which_is_sent_and_the_link_is_shown_once_and_stored_hashed(alpha: TenantFixture):
    quote = draft_quote(alpha)

    response = alpha.client().post(f"/quotes/{quote.pk}/share/")

    assert response.status_code == 200
    link = re.search(r'data-testid="shared-link"[^>]*|value="(http://[^"]+/quote/[^"]+/)"', response.content.decode())
    match = re.search(r'value="(http://alpha\.[^"]+/quote/([A-Za-z0-9_-]+)/)"', response.content.decode())
    assert link
    assert match
    token = match.group(2)
    with alpha.active():
        share = QuoteShare.objects.get()
        quote.refresh_from_db()
        entries = list(
            TimelineEntry.objects.filter(deal=quote.deal, kind=TimelineKind.QUOTE).values_list("data", flat=True)
        )
    assert share.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in share.token_hash
    assert quote.status == "sent"
    assert share.expires_at.date() == quote.valid_until
    assert [entry["action"] for entry in entries if entry["action"] == "shared"] == ["shared"]
    again = alpha.client().get(f"/quotes/{quote.pk}/").content.decode()
    assert token not in again
    assert 'data-testid="active-link"' in again


def test_a_link_without_validity_lasts_thirty_days_and_a_new_link_withdraws_the_old(alpha: TenantFixture):
    quote, first = shared(alpha, valid_days=None)
    with alpha.active():
        _share, second = share_quote(quote, by=alpha.user())
        shares = list(QuoteShare.objects.order_by("id"))
    assert abs(shares[0].expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert shares[0].revoked_at is not None
    assert customer(alpha).get(f"/quote/{first}/").status_code == 410
    assert customer(alpha).get(f"/quote/{second}/").status_code == 200


def test_the_customer_reads_the_quote_and_downloads_its_pdf_without_signing_in(alpha: TenantFixture):
    _quote, token = shared(alpha)
    client = customer(alpha)

    page = client.get(f"/quote/{token}/")
    pdf = client.get(f"/quote/{token}/pdf/")

    assert page.status_code == 200
    html = page.content.decode()
    assert alpha.tenant.name in html
    assert "Service 0" in html
    assert "Service 1" in html
    assert 'data-testid="public-total">476.00 EUR<' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert page["Cache-Control"] == "no-store"
    assert "noindex" in page["X-Robots-Tag"]
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_accepting_sets_the_status_records_who_when_and_where_notifies_the_owner_and_makes_the_order(
    alpha: TenantFixture,
):
    quote, token = shared(alpha)
    client = customer(alpha)

    response = client.post(f"/quote/{token}/accept/", {"name": "  Ana   Popescu "})

    assert response.status_code == 302
    assert response["Location"] == f"/quote/{token}/"
    with alpha.active():
        quote.refresh_from_db()
        share = QuoteShare.objects.get()
        order = Order.objects.get(quote=quote)
        entry = TimelineEntry.objects.filter(kind=TimelineKind.QUOTE, data__action="accepted_online").get()
        event = DomainEvent.objects.get(type="quote.accepted", record_id=quote.pk)
        notification = Notification.objects.get(dedupe_key=f"quote-answered:{share.pk}")
        lines = list(order.lines.order_by("position").values_list("description", flat=True))
    assert quote.status == "accepted"
    assert (share.answer, share.answered_by_name, share.answered_ip) == ("accepted", "Ana Popescu", "203.0.113.7")
    assert share.answered_at is not None
    assert (order.total, order.company_id, lines) == (quote.total, quote.company_id, ["Service 0", "Service 1"])
    assert (entry.deal_id, entry.data["answered_by_name"], entry.data["ip_address"]) == (
        quote.deal_id, "Ana Popescu", "203.0.113.7",
    )  # fmt: skip
    assert event.record_id == quote.pk
    assert (event.data["answered_by_name"], event.data["ip_address"], event.data["order_id"]) == (
        "Ana Popescu", "203.0.113.7", order.pk,
    )  # fmt: skip
    assert notification.recipient_id == quote.owner_id
    assert (notification.entity, notification.record_id) == ("order", order.pk)
    after = client.get(f"/quote/{token}/").content.decode()
    assert 'data-testid="answer"' in after
    assert "Ana Popescu" in after
    assert 'data-testid="accept-form"' not in after


def test_declining_keeps_the_reason_and_makes_no_order(alpha: TenantFixture):
    quote, token = shared(alpha)

    response = customer(alpha).post(f"/quote/{token}/decline/", {"reason": "Over our budget"})

    assert response.status_code == 302
    with alpha.active():
        quote.refresh_from_db()
        share = QuoteShare.objects.get()
        event = DomainEvent.objects.get(type="quote.declined", record_id=quote.pk)
        notification = Notification.objects.get(dedupe_key=f"quote-answered:{share.pk}")
        assert not Order.objects.exists()
    assert quote.status == "declined"
    assert (share.answer, share.answer_reason) == ("declined", "Over our budget")
    assert event.data["reason"] == "Over our budget"
    assert (notification.entity, notification.record_id) == ("deal", quote.deal_id)


@pytest.mark.parametrize(
    ("path", "data", "field", "message"),
    [
        ("accept", {"name": ""}, "name", "Type your full name"),
        ("accept", {"name": "   "}, "name", "Type your full name"),
        ("accept", {"name": "Ana\x00"}, "name", "Null characters"),
        ("accept", {"name": "Ana\x07"}, "name", "control character"),
        ("accept", {"name": "A" * 5000}, "name", "at most 200"),
        ("decline", {"reason": "x" * 5000}, "reason", "at most 2000"),
        ("decline", {"reason": "no\x1b"}, "reason", "control character"),
    ],
)
def test_bad_answers_are_a_400_naming_the_field_and_change_nothing(alpha: TenantFixture, path, data, field, message):
    _quote, token = shared(alpha)
    before = schema_snapshot(alpha.tenant)

    response = customer(alpha).post(f"/quote/{token}/{path}/", data)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-errors"' in html
    assert message in html
    assert schema_snapshot(alpha.tenant) == before


def test_wrong_expired_withdrawn_and_foreign_links_are_404_or_410_and_change_nothing(
    alpha: TenantFixture, beta: TenantFixture
):
    _quote, expiring = shared(alpha, valid_days=1)
    withdrawn_quote, withdrawn = shared(alpha)
    _other, good = shared(alpha)
    owner = alpha.client()
    with alpha.active():
        share = QuoteShare.objects.get(quote=withdrawn_quote, revoked_at__isnull=True)
    assert owner.post(f"/quotes/{withdrawn_quote.pk}/share/{share.pk}/revoke/").status_code == 302
    alpha_before, beta_before = schema_snapshot(alpha.tenant), schema_snapshot(beta.tenant)
    client, on_beta = customer(alpha), Client(HTTP_HOST=beta.host)

    answers = {
        "wrong": [client.get("/quote/not-a-token/"), client.post("/quote/not-a-token/accept/", {"name": "Ana"})],
        "too long": [client.get(f"/quote/{'x' * 300}/")],
        "withdrawn": [client.get(f"/quote/{withdrawn}/"), client.post(f"/quote/{withdrawn}/accept/", {"name": "Ana"}),
                      client.get(f"/quote/{withdrawn}/pdf/")],
        "foreign host": [on_beta.get(f"/quote/{good}/"), on_beta.post(f"/quote/{good}/accept/", {"name": "Ana"}),
                         on_beta.get(f"/quote/{good}/pdf/")],
    }  # fmt: skip
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        answers["expired"] = [
            client.get(f"/quote/{expiring}/"), client.post(f"/quote/{expiring}/decline/", {"reason": ""}),
        ]  # fmt: skip

    assert {kind: [r.status_code for r in rs] for kind, rs in answers.items()} == {
        "wrong": [404, 404],
        "too long": [404],
        "withdrawn": [410, 410, 410],
        "foreign host": [404, 404, 404],
        "expired": [410, 410],
    }
    assert "withdrawn" in answers["withdrawn"][0].content.decode()
    assert "expired" in answers["expired"][0].content.decode()
    assert all('data-testid="public-quote-message"' in r.content.decode() for rs in answers.values() for r in rs)
    assert schema_snapshot(alpha.tenant) == alpha_before
    assert schema_snapshot(beta.tenant) == beta_before


def test_an_answered_quote_cannot_be_answered_again(alpha: TenantFixture):
    _quote, token = shared(alpha)
    client = customer(alpha)
    assert client.post(f"/quote/{token}/accept/", {"name": "Ana Popescu"}).status_code == 302
    before = schema_snapshot(alpha.tenant)

    again = client.post(f"/quote/{token}/accept/", {"name": "Someone Else"})
    decline = client.post(f"/quote/{token}/decline/", {"reason": "Changed our mind"})

    assert (again.status_code, decline.status_code) == (410, 410)
    assert "already been answered" in again.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_answers_need_the_csrf_token(alpha: TenantFixture):
    _quote, token = shared(alpha)
    client = customer(alpha, enforce_csrf_checks=True)
    page = client.get(f"/quote/{token}/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    before = schema_snapshot(alpha.tenant)

    forged = client.post(f"/quote/{token}/accept/", {"name": "Ana"})

    assert forged.status_code == 403
    assert schema_snapshot(alpha.tenant) == before
    assert (
        client.post(f"/quote/{token}/accept/", {"name": "Ana", "csrfmiddlewaretoken": csrf.group(1)}).status_code == 302
    )


def test_guessing_is_throttled_per_address(alpha: TenantFixture, monkeypatch):
    monkeypatch.setattr(public_quote_views, "PUBLIC_REQUESTS_PER_WINDOW", 5)
    _quote, token = shared(alpha)
    client = customer(alpha)

    guesses = [client.get(f"/quote/guess-{index}/").status_code for index in range(5)]
    blocked = client.get(f"/quote/{token}/")
    elsewhere = Client(HTTP_HOST=alpha.host, REMOTE_ADDR="198.51.100.9").get(f"/quote/{token}/")

    assert guesses == [404] * 5
    assert blocked.status_code == 429
    assert elsewhere.status_code == 200


def test_answers_are_throttled_more_tightly(alpha: TenantFixture, monkeypatch):
    monkeypatch.setattr(public_quote_views, "ANSWERS_PER_WINDOW", 2)
    _quote, token = shared(alpha)
    client = customer(alpha)

    tries = [client.post(f"/quote/{token}/accept/", {"name": ""}).status_code for _ in range(3)]

    assert tries == [400, 400, 429]


def test_sharing_needs_the_change_permission_and_visibility_and_stays_in_its_tenant(
    alpha: TenantFixture, beta: TenantFixture
):
    quote = draft_quote(alpha)
    with alpha.active():
        create_user(
            email="reader@example.test", password=PASSWORD, full_name="", role=Role.objects.get(key="read_only")
        )
        _key, plaintext = create_api_key(user=alpha.user(), name="Key", scopes=["sales:read", "sales:write"])
    reader, rep = alpha.client("reader@example.test"), alpha.client(REP_EMAIL)
    with_key = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    before = schema_snapshot(alpha.tenant)

    refused = [reader.post(f"/quotes/{quote.pk}/share/"), rep.post(f"/quotes/{quote.pk}/share/"),
               with_key.post(f"/quotes/{quote.pk}/share/")]  # fmt: skip

    assert [r.status_code for r in refused] == [403, 404, 302]
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        share, _token = share_quote(quote, by=alpha.user())
    assert_cross_tenant_requests_fail(
        alpha, beta,
        [("post", f"/quotes/{quote.pk}/share/", {}), ("post", f"/quotes/{quote.pk}/share/{share.pk}/revoke/", {})],
    )  # fmt: skip


def test_the_public_page_costs_the_same_queries_for_5_and_50_lines(alpha: TenantFixture, django_assert_max_num_queries):
    counts = []
    for lines in (5, 50):
        _quote, token = shared(alpha, lines=lines)
        client = customer(alpha)
        client.get(f"/quote/{token}/")
        with django_assert_max_num_queries(20) as captured:
            assert client.get(f"/quote/{token}/").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_token_never_reaches_a_log_line():
    assert redact("GET /quote/s3cr3t-t0ken/accept/ HTTP/1.1") == "GET /quote/[redacted]/accept/ HTTP/1.1"
    assert redact("/login/?next=%2Fquote%2Fs3cr3t%2F") == "/login/?next=%2Fquote%2F[redacted]%2F"
    assert redact("/quotes/12/pdf/") == "/quotes/12/pdf/"


def test_a_workspace_without_sales_answers_its_links_with_404_and_changes_nothing(alpha: TenantFixture):
    _quote, token = shared(alpha)
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=[])
    before = schema_snapshot(alpha.tenant)
    client = customer(alpha)

    answers = [client.get(f"/quote/{token}/"), client.post(f"/quote/{token}/accept/", {"name": "Ana"})]

    assert [r.status_code for r in answers] == [404, 404]
    assert schema_snapshot(alpha.tenant) == before
