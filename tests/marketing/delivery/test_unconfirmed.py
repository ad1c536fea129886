"""Unconfirmed messages (a worker died while handing them over, so the server may have them): counted
on the send's page and in the APIs' figures, listed by the recipients' state filter, counted against
the plan, and sent again only when a marketer (``marketing.change``) asks — through the page, REST or
GraphQL — with their own Message-ID, skipping addresses suppressed since; another workspace, a role
without the permission and a key without the write scope are refused."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from graphql_relay import to_global_id

from modules.marketing.choices import EmailStatus, SuppressionReason
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.selectors.usage import messages_counted_since
from modules.marketing.delivery.services.engine import deliver
from modules.marketing.delivery.services.sends import cancel_send, finish_if_done, start_send
from modules.marketing.delivery.services.settlement import INTERRUPTED
from modules.marketing.models import MarketingEmail, Suppression
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, field_names, post
from tests.mail_server import MailServer
from tests.marketing.delivery.conftest import audience, marketing_email, unlimited_rate
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant, revoke

PAGE = "/marketing/delivery/emails"
API = "/api/v1/marketing-emails/"


def _sent_with_unconfirmed(fixture: TenantFixture, size: int = 3, unconfirmed: int = 1) -> MarketingEmail:
    """A finished send whose first ``unconfirmed`` rows a dead worker left unconfirmed."""
    with fixture.active():
        unlimited_rate()
        segment, _contacts = audience(size, prefix="unsure")
        email = marketing_email(segment, name="Unsure news")
        start_send(email, by=None)
        rows = Recipient.objects.filter(email=email).order_by("pk")
        doubtful = list(rows.values_list("pk", flat=True)[:unconfirmed])
        now = timezone.now()
        rows.filter(pk__in=doubtful).update(state="unconfirmed", claimed_at=now, attempts=1, error=INTERRUPTED)
        rows.exclude(pk__in=doubtful).update(state="sent", sent_at=now, attempts=1)
        assert finish_if_done(email.pk)
        email.refresh_from_db()
    return email


def test_the_page_counts_and_lists_them_and_a_marketer_sends_them_again(
    alpha: TenantFixture, smtp_server: MailServer
) -> None:
    email = _sent_with_unconfirmed(alpha)
    with alpha.active():
        doubtful = Recipient.objects.get(email=email, state="unconfirmed")
    client = alpha.client()

    page = client.get(f"{PAGE}/{email.pk}/", {"state": "unconfirmed"})
    sent_again = client.post(f"{PAGE}/{email.pk}/send-unconfirmed/")
    with alpha.active():
        email.refresh_from_db()
        assert email.status == EmailStatus.SENDING
        queued = Recipient.objects.get(pk=doubtful.pk)
        assert (queued.state, queued.error, queued.claimed_at) == ("queued", "", None)
        outcome = deliver(email.pk)
        email.refresh_from_db()
        after = Recipient.objects.get(pk=doubtful.pk)

    body = page.content.decode()
    assert page.status_code == 200
    assert page.context["figures"].unconfirmed == 1
    assert [row.address for row in page.context["rows"]] == [doubtful.address]
    assert 'data-testid="send-unconfirmed"' in body
    assert sent_again.status_code == 302
    assert outcome.sent == 1
    assert [(str(m["To"]), str(m["Message-ID"])) for m in smtp_server.messages] == [
        (doubtful.address, doubtful.message_id)
    ]
    assert (after.state, after.attempts) == ("sent", 2)
    assert email.status == EmailStatus.SENT


def test_an_address_suppressed_since_is_skipped_and_the_plan_counts_them(alpha: TenantFixture) -> None:
    email = _sent_with_unconfirmed(alpha, size=4, unconfirmed=2)
    with alpha.active():
        first, second = Recipient.objects.filter(email=email, state="unconfirmed").order_by("pk")
        month = timezone.now() - timedelta(days=1)
        assert messages_counted_since(month) == 4
        Suppression.objects.create(email=first.address.upper(), reason=SuppressionReason.UNSUBSCRIBED)

    response = post(api_client(alpha), f"{API}{email.pk}/send-unconfirmed/")

    assert response.status_code == 200, response.content
    assert response.json()["figures"]["unconfirmed"] == 0
    with alpha.active():
        states = dict(Recipient.objects.filter(pk__in=(first.pk, second.pk)).values_list("pk", "skip_reason"))
        assert Recipient.objects.get(pk=first.pk).state == "skipped"
        assert Recipient.objects.get(pk=second.pk).state == "queued"
        assert states == {first.pk: "suppressed", second.pk: ""}


def test_nothing_unconfirmed_or_a_cancelled_send_is_refused_naming_the_field(alpha: TenantFixture) -> None:
    email = _sent_with_unconfirmed(alpha, unconfirmed=0)
    with alpha.active():
        segment, _contacts = audience(2, prefix="stopped")
        stopped = marketing_email(segment, name="Stopped")
        start_send(stopped, by=None)
        Recipient.objects.filter(email=stopped).update(state="unconfirmed", claimed_at=timezone.now())
        cancel_send(stopped, by=None)
    client = api_client(alpha)

    none_left = post(client, f"{API}{email.pk}/send-unconfirmed/")
    cancelled = post(client, f"{API}{stopped.pk}/send-unconfirmed/")
    on_the_page = alpha.client().post(f"{PAGE}/{email.pk}/send-unconfirmed/")

    assert none_left.status_code == 400
    assert "recipients" in str(field_names(none_left))
    assert cancelled.status_code == 400
    assert "status" in str(field_names(cancelled))
    assert on_the_page.status_code == 400
    with alpha.active():
        assert set(Recipient.objects.filter(email=stopped).values_list("state", flat=True)) == {"unconfirmed"}
        assert Send.objects.get(email=email).status == "sent"


def test_graphql_sends_them_again_and_shows_the_count(alpha: TenantFixture) -> None:
    email = _sent_with_unconfirmed(alpha, unconfirmed=2)
    email_id = to_global_id("MarketingEmail", email.pk)
    client = alpha.client()
    figures = "query { marketingEmails(first: 5, status: SENT) { edges { node { figures { unconfirmed } } } } }"

    before = post_graphql(client, figures).json()["data"]["marketingEmails"]["edges"]
    result = post_graphql(
        client,
        """mutation($id: ID!) { marketingEmailSendUnconfirmed(id: $id) {
        marketingEmail { status figures { unconfirmed queued } } errors { field } } }""",
        {"id": email_id},
    ).json()["data"]["marketingEmailSendUnconfirmed"]

    assert [edge["node"]["figures"]["unconfirmed"] for edge in before] == [2]
    assert result == {
        "marketingEmail": {"status": "SENDING", "figures": {"unconfirmed": 0, "queued": 2}},
        "errors": [],
    }


def test_a_role_without_marketing_change_and_a_key_without_the_write_scope_are_refused(alpha: TenantFixture) -> None:
    email = _sent_with_unconfirmed(alpha)
    grant(alpha, "sales_rep", "marketing.view", "marketing.send")
    revoke(alpha, "sales_rep", "marketing.change")
    _key, reader_key = issue_key(alpha, scopes=("marketing:read",), name="Reader")

    page = alpha.client(REP_EMAIL).get(f"{PAGE}/{email.pk}/")
    on_the_page = alpha.client(REP_EMAIL).post(f"{PAGE}/{email.pk}/send-unconfirmed/")
    as_rep = post(api_client(alpha, REP_EMAIL), f"{API}{email.pk}/send-unconfirmed/")
    as_reader = bearer_client(alpha, reader_key).post(
        f"{API}{email.pk}/send-unconfirmed/", {}, content_type="application/json"
    )
    by_graphql = post_graphql(
        alpha.client(REP_EMAIL),
        "mutation($id: ID!) { marketingEmailSendUnconfirmed(id: $id) { errors { code } } }",
        {"id": to_global_id("MarketingEmail", email.pk)},
    ).json()["data"]["marketingEmailSendUnconfirmed"]

    assert page.status_code == 200
    assert 'data-testid="unconfirmed"' in page.content.decode()
    assert 'data-testid="send-unconfirmed"' not in page.content.decode()
    assert [on_the_page.status_code, as_rep.status_code, as_reader.status_code] == [403, 403, 403]
    assert "marketing:write" in as_reader.json()["detail"]
    assert by_graphql["errors"] == [{"code": "PERMISSION_DENIED"}]
    with alpha.active():
        assert Recipient.objects.filter(email=email, state="unconfirmed").count() == 1


def test_another_workspace_cannot_send_them_again(alpha: TenantFixture, beta: TenantFixture) -> None:
    email = _sent_with_unconfirmed(alpha)
    with beta.active():
        MarketingEmail.objects.filter(pk=email.pk).delete()
    assert_cross_tenant_requests_fail(alpha, beta, [("post", f"{PAGE}/{email.pk}/send-unconfirmed/", {})])
    assert_rest_requests_fail_across_tenants(alpha, beta, [("post", f"{API}{email.pk}/send-unconfirmed/", {})])
