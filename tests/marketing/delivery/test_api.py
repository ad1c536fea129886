"""The send actions of the APIs (test send, schedule, send now, cancel) end to end against a real
SMTP server, the send's figures on the e-mail and its recipients: ``marketing.send`` and the
``marketing:write`` scope, the send page's rules, another tenant refused, constant queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from graphql_relay import to_global_id

from modules.marketing.choices import EmailStatus
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.services.engagement import record_open
from modules.marketing.delivery.services.engine import deliver
from modules.marketing.delivery.services.sends import start_send
from modules.marketing.email.services import proofs
from modules.marketing.models import MarketingEmail
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    post,
    queries_for,
)
from tests.billing.usage.conftest import subscribe
from tests.mail_server import MailServer
from tests.marketing.delivery.conftest import audience, marketing_email, unlimited_rate
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke, schema_snapshot

URL = "/api/v1/marketing-emails/"
RECIPIENTS = "/api/v1/marketing-email-recipients/"


def test_a_test_send_and_a_small_send_reach_the_smtp_server(alpha: TenantFixture, smtp_server: MailServer):
    with alpha.active():
        unlimited_rate()
        segment, contacts = audience(3)
        email = marketing_email(segment)
    client = api_client(alpha)

    tested = post(client, f"{URL}{email.pk}/test-send/", {
        "addresses": ["me@tests.example", "boss@tests.example"], "contact": contacts[1].pk,
    })  # fmt: skip
    test_messages = list(smtp_server.messages)
    smtp_server.messages.clear()
    started = post(client, f"{URL}{email.pk}/send/")
    with alpha.active():
        deliver(email.pk)
        first = Recipient.objects.get(email=email, contact=contacts[0])
        record_open(first.pk)
    read = client.get(f"{URL}{email.pk}/").json()
    recipients = client.get(RECIPIENTS, {"email": email.pk, "status": "sent"}).json()["results"]

    assert tested.status_code == 200, tested.content
    assert tested.json() == {"sent": 2}
    assert sorted(str(message["To"]) for message in test_messages) == ["boss@tests.example", "me@tests.example"]
    assert {message["Subject"] for message in test_messages} == {"[Test] News for Reader1"}
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "sending"
    assert sorted(str(message["To"]) for message in smtp_server.messages) == sorted(c.email for c in contacts)
    assert read["status"] == "sent"
    figures = read["figures"]
    assert (figures["recipients"], figures["sent"], figures["opened"], figures["bounced"]) == (3, 3, 1, 0)
    assert (figures["unsubscribed"], figures["complaints"], figures["skipped"]) == (0, 0, 0)
    assert len(recipients) == 3
    opened = next(row for row in recipients if row["address"] == contacts[0].email)
    assert opened["contact"] == {"id": contacts[0].pk, "full_name": contacts[0].full_name}
    assert opened["opened_at"] is not None
    assert {"message_id", "provider_message_id", "claim"}.isdisjoint(opened)


def test_the_send_rules_hold_over_the_api_and_refusals_write_nothing(alpha: TenantFixture):
    with alpha.active():
        segment, _contacts = audience(3)
        empty, _none = audience(0, prefix="nobody")
        no_segment = marketing_email(None, name="No segment")
        nobody = marketing_email(empty, name="Nobody")
        too_big = marketing_email(segment, name="Too big")
        draft = marketing_email(segment, name="Draft")
    subscribe(alpha, plan="enterprise", marketing_emails_per_month=2)
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)
    far = "9999-06-01T10:00:00+00:00"  # past the years the platform accepts (core.input_bounds)

    refusals = [
        (post(client, f"{URL}{no_segment.pk}/send/"), "segment"),
        (post(client, f"{URL}{nobody.pk}/send/"), "segment"),
        (post(client, f"{URL}{too_big.pk}/send/"), "recipients"),
        (post(client, f"{URL}{draft.pk}/cancel/"), "status"),
        (post(client, f"{URL}{draft.pk}/schedule/", {"scheduled_at": "2001-01-01T10:00"}), "scheduled_at"),
        (post(client, f"{URL}{draft.pk}/schedule/", {"scheduled_at": far}), "scheduled_at"),
        (post(client, f"{URL}{draft.pk}/schedule/", {"scheduled_at": "soon\x00"}), "scheduled_at"),
        (post(client, f"{URL}{draft.pk}/test-send/", {"addresses": [f"r{n}@x.example" for n in range(6)]}),
         "addresses"),
        (post(client, f"{URL}{draft.pk}/test-send/", {"addresses": ["not an address"]}), "addresses"),
        (post(client, f"{URL}{draft.pk}/test-send/", {"addresses": ["a@x.example"], "contact": 2**40}), "contact"),
    ]  # fmt: skip

    for response, field in refusals:
        assert response.status_code == 400, response.content
        assert field in str(field_names(response)), response.json()
    assert schema_snapshot(alpha.tenant) == before


def test_test_sends_are_rate_limited(alpha: TenantFixture, smtp_server: MailServer, monkeypatch):
    with alpha.active():
        email = marketing_email(None)
    monkeypatch.setattr(proofs, "LIMIT", 1)
    client = api_client(alpha)

    first = post(client, f"{URL}{email.pk}/test-send/", {"addresses": ["me@tests.example"]})
    second = post(client, f"{URL}{email.pk}/test-send/", {"addresses": ["me@tests.example"]})

    assert first.status_code == 200, first.content
    assert second.status_code == 429
    assert len(smtp_server.messages) == 1


def test_scheduling_reads_the_workspace_time_zone_and_cancelling_stops_it(alpha: TenantFixture):
    alpha.tenant.time_zone = "Europe/Bucharest"
    alpha.tenant.save()
    with alpha.active():
        segment, _contacts = audience(2)
        email = marketing_email(segment)
        other = marketing_email(segment, name="GraphQL scheduled")
    day = (datetime.now(ZoneInfo("Europe/Bucharest")) + timedelta(days=10)).date()
    client = api_client(alpha)

    scheduled = post(client, f"{URL}{email.pk}/schedule/", {"scheduled_at": f"{day.isoformat()}T09:30"})
    cancelled = post(client, f"{URL}{email.pk}/cancel/")
    over_graphql = post_graphql(
        alpha.client(),
        """mutation($id: ID!, $at: DateTime) { marketingEmailSchedule(id: $id, at: $at) {
        marketingEmail { status scheduledAt } errors { field } } }""",
        {"id": to_global_id("MarketingEmail", other.pk), "at": f"{day.isoformat()}T09:30:00"},
    ).json()["data"]["marketingEmailSchedule"]

    expected = datetime(day.year, day.month, day.day, 9, 30, tzinfo=ZoneInfo("Europe/Bucharest"))
    assert scheduled.status_code == 200, scheduled.content
    assert datetime.fromisoformat(scheduled.json()["scheduled_at"]) == expected
    assert cancelled.json()["status"] == "cancelled"
    assert over_graphql["errors"] == []
    assert datetime.fromisoformat(over_graphql["marketingEmail"]["scheduledAt"]) == expected
    with alpha.active():
        assert MarketingEmail.objects.get(pk=email.pk).status == EmailStatus.CANCELLED


def test_graphql_sends_and_shows_the_figures_and_recipients(alpha: TenantFixture, smtp_server: MailServer):
    with alpha.active():
        unlimited_rate()
        segment, contacts = audience(2)
        email = marketing_email(segment)
    client = alpha.client()
    email_id = to_global_id("MarketingEmail", email.pk)

    tested = post_graphql(
        client,
        """mutation($id: ID!) { marketingEmailTestSend(id: $id, addresses: ["me@tests.example"]) {
        sent errors { field } } }""",
        {"id": email_id},
    ).json()["data"]["marketingEmailTestSend"]
    sent = post_graphql(
        client,
        "mutation($id: ID!) { marketingEmailSend(id: $id) { marketingEmail { status } errors { field } } }",
        {"id": email_id},
    ).json()["data"]["marketingEmailSend"]
    again = post_graphql(
        client, "mutation($id: ID!) { marketingEmailSend(id: $id) { errors { field } } }", {"id": email_id}
    ).json()["data"]["marketingEmailSend"]
    with alpha.active():
        deliver(email.pk)
    read = post_graphql(
        client,
        """query($id: ID!) { marketingEmails(first: 5, status: SENT) { edges { node { id figures {
        recipients sent delivered opened clicked bounced unsubscribed complaints } } } }
        marketingEmailRecipients(email: $id, first: 10, status: SENT) { edges { node {
        address status skipReason contact { id } } } } }""",
        {"id": email_id},
    ).json()["data"]

    assert tested == {"sent": 1, "errors": []}
    assert sent == {"marketingEmail": {"status": "SENDING"}, "errors": []}
    assert again["errors"] == [{"field": "status"}]
    (node,) = [edge["node"] for edge in read["marketingEmails"]["edges"]]
    assert node["figures"] == {
        "recipients": 2, "sent": 2, "delivered": 0, "opened": 0, "clicked": 0, "bounced": 0, "unsubscribed": 0,
        "complaints": 0,
    }  # fmt: skip
    rows = {edge["node"]["address"]: edge["node"] for edge in read["marketingEmailRecipients"]["edges"]}
    assert set(rows) == {contact.email for contact in contacts}
    assert rows[contacts[0].email]["contact"] == {"id": to_global_id("Contact", contacts[0].pk)}
    assert rows[contacts[0].email]["skipReason"] is None


def test_a_role_without_marketing_send_and_a_key_without_the_write_scope_are_refused(
    alpha: TenantFixture, smtp_server: MailServer
):
    with alpha.active():
        segment, _contacts = audience(2)
        email = marketing_email(segment)
    grant(alpha, "sales_rep", "marketing.view", "marketing.change")
    revoke(alpha, "sales_rep", "marketing.send")
    rep = api_client(alpha, REP_EMAIL)
    _key, reader_key = issue_key(alpha, scopes=("marketing:read",), name="Reader")
    reader = bearer_client(alpha, reader_key)
    actions = [
        ("test-send", {"addresses": ["me@tests.example"]}),
        ("schedule", {"scheduled_at": "2999-01-01T10:00"}),
        ("send", {}),
        ("cancel", {}),
    ]

    for name, body in actions:
        as_rep = post(rep, f"{URL}{email.pk}/{name}/", body)
        as_reader = reader.post(f"{URL}{email.pk}/{name}/", body, content_type="application/json")
        assert as_rep.status_code == 403, name
        assert as_reader.status_code == 403, name
        assert "marketing:write" in as_reader.json()["detail"]
    refused = post_graphql(
        alpha.client(REP_EMAIL),
        "mutation($id: ID!) { marketingEmailSend(id: $id) { errors { code } } }",
        {"id": to_global_id("MarketingEmail", email.pk)},
    ).json()["data"]["marketingEmailSend"]

    assert refused["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert rep.get(f"{URL}{email.pk}/").status_code == 200  # reading stays allowed
    assert reader.get(f"{RECIPIENTS}?email={email.pk}").status_code == 200
    assert smtp_server.messages == []
    with alpha.active():
        email.refresh_from_db()
        assert (email.status, email.scheduled_at) == (EmailStatus.DRAFT, None)
        assert not Send.objects.filter(email=email).exists()
        assert not Recipient.objects.filter(email=email).exists()


def test_a_recipient_whose_contact_the_caller_may_not_see_shows_no_contact(alpha: TenantFixture):
    grant(alpha, "sales_rep", "marketing.view")
    with alpha.active():
        segment, contacts = audience(1, owner=alpha.user())
        email = marketing_email(segment)
        start_send(email, by=None)
    rows = api_client(alpha, REP_EMAIL).get(RECIPIENTS, {"email": email.pk}).json()["results"]

    assert [(row["address"], row["contact"]) for row in rows] == [(contacts[0].email, None)]
    assert api_client(alpha).get(RECIPIENTS, {"email": email.pk}).json()["results"][0]["contact"] is not None


def test_the_emails_and_their_recipients_cannot_be_reached_from_another_tenant(
    alpha: TenantFixture, beta: TenantFixture
):
    with alpha.active():
        segment, _contacts = audience(1)
        email = marketing_email(segment)
        sent = marketing_email(segment, name="Sent")
        start_send(sent, by=None)
        recipient = Recipient.objects.get(email=sent)
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"{URL}{email.pk}/", {}),
        ("patch", f"{URL}{email.pk}/", {"name": "stolen"}),
        ("delete", f"{URL}{email.pk}/", {}),
        ("get", f"{URL}{email.pk}/preview/", {}),
        ("post", f"{URL}{email.pk}/test-send/", {"addresses": ["thief@x.example"]}),
        ("post", f"{URL}{email.pk}/schedule/", {"scheduled_at": "2999-01-01T10:00"}),
        ("post", f"{URL}{email.pk}/send/", {}),
        ("post", f"{URL}{sent.pk}/cancel/", {}),
        ("get", f"{RECIPIENTS}{recipient.pk}/", {}),
    ])  # fmt: skip
    listed = api_client(beta).get(RECIPIENTS, {"email": sent.pk})
    assert (listed.status_code, listed.json()["results"]) == (200, [])


@pytest.mark.parametrize("path", [f"{URL}?page_size=100", f"{RECIPIENTS}?page_size=100"])
def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture, path: str):
    def add(count: int, prefix: str) -> None:
        with alpha.active():
            segment, _contacts = audience(1, prefix=prefix, owner=alpha.user())
            for number in range(count):
                start_send(marketing_email(segment, name=f"{prefix} {number}"), by=None)

    add(5, "few")
    few, _response = queries_for(api_client(alpha), path)
    add(45, "many")
    many, response = queries_for(api_client(alpha), path)

    assert len(response.json()["results"]) >= 50
    assert many == few


def test_the_graphql_connections_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = """{ marketingEmails(first: 100) { edges { node { name campaign { name } segment { name }
    figures { sent opened } } } } }"""

    def count() -> int:
        client = alpha.client()
        with CaptureQueriesContext(connection) as captured:
            body = post_graphql(client, query).json()
        assert "errors" not in body, body
        return len(captured.captured_queries)

    def add(count_: int, prefix: str) -> None:
        with alpha.active():
            segment, _contacts = audience(1, prefix=prefix)
            for number in range(count_):
                start_send(marketing_email(segment, name=f"{prefix} {number}"), by=None)

    add(5, "few")
    few = count()
    add(45, "many")
    assert count() == few
