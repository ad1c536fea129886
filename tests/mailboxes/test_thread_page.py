"""The thread page and its attachment downloads: the owner sees everything, colleagues what the
mailbox shares and only with a record they may open, other tenants nothing."""

from __future__ import annotations

from typing import Any

import pytest

from modules.mailboxes.choices import MailboxVisibility
from modules.mailboxes.models import MailAttachment, Mailbox, MailMessage
from modules.mailboxes.services.mailboxes import connect_mailbox
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store_batch import WrittenFiles, store_messages
from tests.factories import ContactFactory
from tests.mailboxes.conftest import OWNER_ADDRESS, message
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke

BODY = "The discount we agreed is 12 percent."


def _thread(alpha: TenantFixture, *, owner: str, visibility: str, contact_owner: str, replies: int = 1) -> MailMessage:
    """A thread of ``replies + 1`` messages with ana (a contact of ``contact_owner``) in the
    mailbox of ``owner``; the first message carries a PDF."""
    with alpha.active():
        ContactFactory(email="ana@acme.example", owner=alpha.user(contact_owner))
        mailbox = connect_mailbox(
            owner=alpha.user(owner), email=OWNER_ADDRESS, imap_host="imap.mail.example", imap_password="pw",
            visibility=visibility,
        )  # fmt: skip
        first_id, first = message(sender="ana@acme.example", body=BODY, attachment=b"%PDF-1.4 prices")
        raws = [first] + [
            message(sender="ana@acme.example", body=f"Reply {n}", in_reply_to=first_id)[1] for n in range(replies)
        ]
        results = store_messages(
            mailbox, [(raw, None) for raw in raws], folder=None, direction="in",
            matcher=Matcher(own_addresses=[OWNER_ADDRESS]), files=WrittenFiles(),
        )  # fmt: skip
        stored = results[0][0]
        assert stored is not None
        return stored


def test_the_owner_reads_the_thread_from_the_timeline_and_downloads_its_file(alpha: TenantFixture):
    first = _thread(alpha, owner=REP_EMAIL, visibility=MailboxVisibility.PRIVATE, contact_owner=REP_EMAIL)
    client = alpha.client(REP_EMAIL)
    with alpha.active():
        contact_pk = first.links.get().contact_id
        attachment = MailAttachment.objects.get(message=first)

    timeline = client.get(f"/timeline/contact/{contact_pk}/").content.decode()
    assert f'href="/mail/threads/{first.thread_id}/"' in timeline
    page = client.get(f"/mail/threads/{first.thread_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert BODY in html
    assert "Reply 0" in html
    assert f"/mail/threads/attachments/{attachment.pk}/" in html

    download = client.get(f"/mail/threads/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 prices"  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("visibility", "page_status", "sees_body", "download_status"),
    [
        (MailboxVisibility.PRIVATE, 404, False, 404),
        (MailboxVisibility.SUBJECT, 200, False, 404),
        (MailboxVisibility.FULL, 200, True, 200),
    ],
)
def test_a_colleague_sees_what_the_mailbox_shares(
    alpha: TenantFixture, visibility: str, page_status: int, sees_body: bool, download_status: int
):
    first = _thread(alpha, owner=REP_EMAIL, visibility=visibility, contact_owner=REP_EMAIL)
    with alpha.active():
        attachment = MailAttachment.objects.get(message=first)
    colleague = alpha.client(ADMIN_EMAIL)

    page = colleague.get(f"/mail/threads/{first.thread_id}/")
    assert page.status_code == page_status
    if page_status == 200:
        html = page.content.decode()
        assert "Pricing for next year" in html
        assert (BODY in html) is sees_body
        assert (f"/mail/threads/attachments/{attachment.pk}/" in html) is sees_body
    assert colleague.get(f"/mail/threads/attachments/{attachment.pk}/").status_code == download_status


def test_a_colleague_who_may_not_open_the_record_gets_nothing(alpha: TenantFixture):
    # The admin's shared mailbox, about the admin's contact: a sales rep sees only their own records.
    first = _thread(alpha, owner=ADMIN_EMAIL, visibility=MailboxVisibility.FULL, contact_owner=ADMIN_EMAIL)
    with alpha.active():
        attachment = MailAttachment.objects.get(message=first)
    rep = alpha.client(REP_EMAIL)
    assert rep.get(f"/mail/threads/{first.thread_id}/").status_code == 404
    assert rep.get(f"/mail/threads/attachments/{attachment.pk}/").status_code == 404


def test_a_role_without_activities_view_is_refused(alpha: TenantFixture):
    first = _thread(alpha, owner=ADMIN_EMAIL, visibility=MailboxVisibility.FULL, contact_owner=REP_EMAIL)
    revoke(alpha, "sales_rep", "activities.view")
    rep = alpha.client(REP_EMAIL)
    assert rep.get(f"/mail/threads/{first.thread_id}/").status_code == 403


def test_another_tenant_reaches_neither_the_thread_nor_its_files(alpha: TenantFixture, beta: TenantFixture):
    first = _thread(alpha, owner=ADMIN_EMAIL, visibility=MailboxVisibility.FULL, contact_owner=ADMIN_EMAIL)
    with alpha.active():
        attachment = MailAttachment.objects.get(message=first)
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [("get", f"/mail/threads/{first.thread_id}/", {}), ("get", f"/mail/threads/attachments/{attachment.pk}/", {})],
    )


def test_the_page_costs_the_same_queries_for_2_and_12_messages(
    alpha: TenantFixture, django_assert_max_num_queries: Any
):
    short = _thread(alpha, owner=REP_EMAIL, visibility=MailboxVisibility.FULL, contact_owner=REP_EMAIL, replies=1)
    with alpha.active():
        Mailbox.objects.filter(pk=short.mailbox_id).update(email="first@alpha-sales.example")
    long = _thread(alpha, owner=REP_EMAIL, visibility=MailboxVisibility.FULL, contact_owner=REP_EMAIL, replies=11)
    colleague = alpha.client(ADMIN_EMAIL)
    with django_assert_max_num_queries(40) as few:
        assert colleague.get(f"/mail/threads/{short.thread_id}/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert colleague.get(f"/mail/threads/{long.thread_id}/").status_code == 200
