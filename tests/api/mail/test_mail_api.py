"""E-mail threads, messages and meeting attendees over REST and GraphQL: the mailbox's visibility
holds (subject only: no body, no files; private: nothing), and a key without the activities scope,
a role without ``activities.view`` and another tenant get nothing; pages cost the same queries."""

from __future__ import annotations

from typing import Any

from graphql_relay import to_global_id

from modules.activities.models import ActivityAttendee
from modules.mailboxes.choices import MailboxVisibility
from modules.mailboxes.models import MailMessage
from modules.mailboxes.services.mailboxes import connect_mailbox
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store_batch import WrittenFiles, store_messages
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, queries_for
from tests.factories import ActivityFactory, ContactFactory
from tests.mailboxes.conftest import OWNER_ADDRESS, message
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, revoke

BODY = "The discount we agreed is 12 percent."
MESSAGES_QUERY = "{ mailMessages(first: 50) { edges { node { subject text snippet attachments { name } } } } }"


def _mail(alpha: TenantFixture, *, visibility: str, replies: int = 1, address: str = OWNER_ADDRESS) -> MailMessage:
    """A thread with ana (a contact of the rep) in the rep's mailbox; the first message has a PDF."""
    with alpha.active():
        ContactFactory(email="ana@acme.example", owner=alpha.user(REP_EMAIL))
        mailbox = connect_mailbox(
            owner=alpha.user(REP_EMAIL), email=address, imap_host="imap.mail.example", imap_password="pw",
            visibility=visibility,
        )  # fmt: skip
        first_id, first = message(sender="ana@acme.example", body=BODY, attachment=b"%PDF-1.4 prices")
        raws = [first] + [message(sender="ana@acme.example", in_reply_to=first_id)[1] for _n in range(replies)]
        stored = store_messages(
            mailbox, [(raw, None) for raw in raws], folder=None, direction="in",
            matcher=Matcher(own_addresses=[address]), files=WrittenFiles(),
        )  # fmt: skip
        found = stored[0][0]
        assert found is not None
        return found


def _rest_messages(client: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/mail-messages/")
    assert response.status_code == 200, response.content
    return response.json()["results"]  # type: ignore[no-any-return]


def _graphql_messages(client: Any) -> list[dict[str, Any]]:
    body = post_graphql(client, MESSAGES_QUERY).json()
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["mailMessages"]["edges"]]


def test_the_owner_reads_bodies_and_files_over_both_protocols(alpha: TenantFixture):
    first = _mail(alpha, visibility=MailboxVisibility.PRIVATE)
    owner = api_client(alpha, REP_EMAIL)

    threads = owner.get("/api/v1/mail-threads/").json()["results"]
    assert [(row["id"], row["message_count"]) for row in threads] == [(first.thread_id, 2)]
    rows = _rest_messages(owner)
    assert rows[0]["text"].strip() == BODY
    assert [item["name"] for item in rows[0]["attachments"]] == ["prices.pdf"]
    assert rows[0]["thread"] == first.thread_id
    nodes = _graphql_messages(owner)
    assert nodes[0]["text"].strip() == BODY
    assert nodes[0]["attachments"] == [{"name": "prices.pdf"}]


def test_colleagues_get_what_the_mailbox_shares(alpha: TenantFixture):
    _mail(alpha, visibility=MailboxVisibility.SUBJECT)
    _mail(alpha, visibility=MailboxVisibility.PRIVATE, address="private@alpha-sales.example")
    colleague = api_client(alpha, ADMIN_EMAIL)

    rows = _rest_messages(colleague)
    assert len(rows) == 2  # the subject-only thread's two messages; the private one's none
    assert all((row["text"], row["html"], row["snippet"], row["attachments"]) == ("", "", "", []) for row in rows)
    assert all(row["subject"] == "Pricing for next year" for row in rows)
    nodes = _graphql_messages(colleague)
    assert [(node["text"], node["snippet"], node["attachments"]) for node in nodes] == [("", "", [])] * 2
    assert len(colleague.get("/api/v1/mail-threads/").json()["results"]) == 1


def test_a_colleague_who_may_not_open_the_record_sees_no_thread(alpha: TenantFixture):
    with alpha.active():
        ContactFactory(email="bo@acme.example", owner=alpha.user(ADMIN_EMAIL))
        mailbox = connect_mailbox(
            owner=alpha.user(ADMIN_EMAIL), email="admin-box@alpha-sales.example", imap_host="imap.mail.example",
            imap_password="pw", visibility=MailboxVisibility.FULL,
        )  # fmt: skip
        store_messages(
            mailbox, [(message(sender="bo@acme.example")[1], None)], folder=None, direction="in",
            matcher=Matcher(own_addresses=[mailbox.email]), files=WrittenFiles(),
        )  # fmt: skip
    rep = api_client(alpha, REP_EMAIL)  # a sales rep sees only their own records
    assert rep.get("/api/v1/mail-threads/").json()["results"] == []
    assert _rest_messages(rep) == []
    assert _graphql_messages(rep) == []


def test_a_key_without_the_activities_scope_and_a_role_without_the_permission_are_refused(alpha: TenantFixture):
    first = _mail(alpha, visibility=MailboxVisibility.FULL)
    _key, token = issue_key(alpha, email=REP_EMAIL)  # contacts scopes only
    contacts_key = bearer_client(alpha, token)
    for path in ("/api/v1/mail-threads/", "/api/v1/mail-messages/", "/api/v1/meeting-attendees/"):
        assert contacts_key.get(path).status_code == 403, path
    body = post_graphql(contacts_key, MESSAGES_QUERY).json()
    assert body["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    _key, token = issue_key(alpha, email=REP_EMAIL, scopes=("activities:read",), name="Mail")
    assert len(_rest_messages(bearer_client(alpha, token))) == 2

    revoke(alpha, "sales_rep", "activities.view")
    rep = api_client(alpha, REP_EMAIL)
    assert rep.get("/api/v1/mail-messages/").status_code == 403
    assert rep.get(f"/api/v1/mail-threads/{first.thread_id}/").status_code == 403
    assert post_graphql(rep, MESSAGES_QUERY).json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_another_tenant_reaches_no_thread_message_or_attendee(alpha: TenantFixture, beta: TenantFixture):
    first = _mail(alpha, visibility=MailboxVisibility.FULL)
    with alpha.active():
        meeting = ActivityFactory(kind="meeting")
        attendee = ActivityAttendee.objects.create(activity=meeting, email="ana@acme.example")
    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", f"/api/v1/mail-threads/{first.thread_id}/", {}),
            ("get", f"/api/v1/mail-messages/{first.pk}/", {}),
            ("get", f"/api/v1/meeting-attendees/{attendee.pk}/", {}),
        ],
    )
    node = post_graphql(beta.client(), f'{{ node(id: "{to_global_id("MailMessage", first.pk)}") {{ id }} }}').json()
    assert node["data"]["node"] is None


def test_attendees_come_with_the_meetings_one_may_see(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", owner=alpha.user(REP_EMAIL))
        mine = ActivityFactory(kind="meeting", assignee=alpha.user(REP_EMAIL))
        theirs = ActivityFactory(kind="meeting", assignee=alpha.user(ADMIN_EMAIL))
        ActivityAttendee.objects.create(activity=mine, email="ana@acme.example", contact=contact, attendance="accepted")
        ActivityAttendee.objects.create(activity=theirs, email="bo@acme.example")
    rep = api_client(alpha, REP_EMAIL)
    rows = rep.get("/api/v1/meeting-attendees/").json()["results"]
    assert [(row["activity"], row["email"], row["contact"], row["attendance"]) for row in rows] == [
        (mine.pk, "ana@acme.example", contact.pk, "accepted")
    ]
    body = post_graphql(rep, "{ meetingAttendees(first: 10) { edges { node { email contact { email } } } } }").json()
    assert body["data"]["meetingAttendees"]["edges"] == [
        {"node": {"email": "ana@acme.example", "contact": {"email": "ana@acme.example"}}}
    ]


def test_the_message_list_costs_the_same_queries_for_2_and_12_messages(alpha: TenantFixture):
    _mail(alpha, visibility=MailboxVisibility.SUBJECT, replies=1)
    colleague = api_client(alpha, ADMIN_EMAIL)
    few, _response = queries_for(colleague, "/api/v1/mail-messages/")
    _mail(alpha, visibility=MailboxVisibility.FULL, replies=10, address="second@alpha-sales.example")
    many, response = queries_for(colleague, "/api/v1/mail-messages/")
    assert len(response.json()["results"]) == 13
    assert many <= few
