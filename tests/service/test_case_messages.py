"""Replies, internal notes and files on a case's page; downloads; the customer's cases card and the
timeline entries of cases."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.collaboration.models.attachment import attachment_storage
from modules.service.choices import MessageAuthor, MessageKind, StatusCategory
from modules.service.models import CaseAttachment, CaseMessage, CaseStatus
from modules.service.services.cases import add_message, update_case
from tests.factories import CompanyFactory, ContactFactory
from tests.sales.catalog.conftest import MakeUser
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def test_an_agent_replies_with_a_file_and_adds_a_note_shown_apart(alpha: TenantFixture):
    case = make_case(alpha)
    client = alpha.client()

    replied = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "Please restart the printer.",
        "attachments": [SimpleUploadedFile("steps.txt", b"1. Off\n2. On\n")],
    })  # fmt: skip
    noted = client.post(f"/cases/{case.pk}/messages/", {"kind": "note", "body": "Customer sounded upset."})
    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert replied.status_code == 302
    assert replied["Location"] == f"/cases/{case.pk}/#conversation-end"
    assert noted.status_code == 302
    with alpha.active():
        reply, note = CaseMessage.objects.filter(case=case).order_by("pk")
        file = reply.attachments.get()
        case.refresh_from_db()
        assert (reply.kind, reply.author_kind, note.kind) == (MessageKind.REPLY, MessageAuthor.AGENT, MessageKind.NOTE)
        assert (file.name, file.content_type, file.size) == ("steps.txt", "text/plain", 13)
        assert attachment_storage().exists(file.storage_key)
        assert case.first_response_at is not None
    assert page.count('data-kind="note"') == 1
    assert page.count('data-kind="reply"') == 1
    assert 'data-testid="note-label"' in page
    assert f'href="/cases/{case.pk}/files/{file.pk}/"' in page

    download = client.get(f"/cases/{case.pk}/files/{file.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"1. Off\n2. On\n"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]


def test_refused_messages_name_the_field_and_store_nothing(alpha: TenantFixture, settings):
    case = make_case(alpha)
    client = alpha.client()
    settings.ATTACHMENT_MAX_BYTES = 1000
    before = schema_snapshot(alpha.tenant)

    empty = client.post(f"/cases/{case.pk}/messages/", {"kind": "reply", "body": "   "})
    nul = client.post(f"/cases/{case.pk}/messages/", {"kind": "reply", "body": "a\x00b"})
    kind = client.post(f"/cases/{case.pk}/messages/", {"kind": "shout", "body": "Hello"})
    disguised = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "Invoice attached",
        "attachments": [SimpleUploadedFile("invoice.pdf", b"MZ not a pdf")],
    })  # fmt: skip
    too_big = client.post(f"/cases/{case.pk}/messages/", {
        "kind": "note", "body": "Log attached", "attachments": [SimpleUploadedFile("log.txt", b"x" * 1001)],
    })  # fmt: skip

    assert [r.status_code for r in (empty, nul, kind, disguised, too_big)] == [400] * 5
    assert "body" in empty.context["message_form"].errors
    assert "Write a message." in empty.content.decode()
    assert "body" in nul.context["message_form"].errors
    assert "kind" in kind.context["message_form"].errors
    assert "invoice.pdf" in str(disguised.context["message_form"].errors["attachments"])
    assert "attachments" in too_big.context["message_form"].errors
    assert schema_snapshot(alpha.tenant) == before


def test_a_file_is_served_only_through_its_own_case(alpha: TenantFixture, beta: TenantFixture, make_user: MakeUser):
    case = make_case(alpha)
    other = make_case(alpha, subject="Another")
    alpha.client().post(f"/cases/{case.pk}/messages/", {
        "kind": "note", "body": "Screenshot", "attachments": [SimpleUploadedFile("shot.txt", b"pixels")],
    })  # fmt: skip
    with alpha.active():
        file = CaseAttachment.objects.get()
    make_user("sales_rep", "seller@example.test")

    assert alpha.client().get(f"/cases/{other.pk}/files/{file.pk}/").status_code == 404
    assert alpha.client("seller@example.test").get(f"/cases/{case.pk}/files/{file.pk}/").status_code == 403
    assert alpha.client(None).get(f"/cases/{case.pk}/files/{file.pk}/").status_code == 302
    assert_cross_tenant_requests_fail(alpha, beta, [
        ("get", f"/cases/{case.pk}/files/{file.pk}/", {}),
        ("post", f"/cases/{case.pk}/messages/", {"kind": "note", "body": "Intruder"}),
    ])  # fmt: skip


def test_a_deleted_case_takes_its_files_from_the_storage(alpha: TenantFixture, django_capture_on_commit_callbacks):
    case = make_case(alpha)
    client = alpha.client()
    client.post(f"/cases/{case.pk}/messages/", {
        "kind": "reply", "body": "See file", "attachments": [SimpleUploadedFile("a.txt", b"abc")],
    })  # fmt: skip
    with alpha.active():
        key = CaseAttachment.objects.get().storage_key

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cases/{case.pk}/delete/").status_code == 302

    assert not attachment_storage().exists(key)


def test_the_case_page_costs_the_same_queries_for_3_and_30_messages(alpha: TenantFixture):
    case = make_case(alpha)
    admin = alpha.user()

    def write(count: int) -> None:
        with alpha.active():
            for number in range(count):
                kind = MessageKind.NOTE if number % 3 == 0 else MessageKind.REPLY
                add_message(case, by=admin, author_kind=MessageAuthor.AGENT, kind=kind, body_text=f"Message {number}",
                            attachments=[CaseAttachment(storage_key=f"attachments/q-{count}-{number}.txt", name="q.txt",
                                                        content_type="text/plain", size=1)])  # fmt: skip

    client = alpha.client()
    write(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    write(27)
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/cases/{case.pk}/").content.decode()

    assert page.count("Message ") >= 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_customer_page_shows_its_cases_and_the_timeline_links_them(alpha: TenantFixture):
    case = make_case(alpha, subject="Leaking valve")
    solved = make_case(alpha, subject="Old question", contact=case.contact)
    with alpha.active():
        update_case(solved, by=alpha.user(), status=CaseStatus.objects.get(category=StatusCategory.SOLVED))
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="We are sending a plumber.")
    client = alpha.client()

    company_page = client.get(f"/companies/{case.company_id}/").content.decode()
    card = client.get(f"/customers/company/{case.company_id}/cases/").content.decode()
    contact_card = client.get(f"/customers/contact/{case.contact_id}/cases/").content.decode()
    timeline = client.get(f"/timeline/contact/{case.contact_id}/").content.decode()

    assert f"/customers/company/{case.company_id}/cases/" in company_page
    assert case.number in card
    assert "Leaking valve" in card
    assert solved.number in contact_card
    assert 'data-testid="open-case-count">1 open<' in card
    assert f"/cases/?company={case.company_id}" in card
    assert f'href="/cases/{case.pk}/"' in timeline
    assert "We are sending a plumber." in timeline
    assert 'data-kind="case"' in timeline


def test_the_customer_card_needs_the_service_permission(alpha: TenantFixture, make_user: MakeUser):
    seller_user = make_user("sales_rep", "seller@example.test")
    with alpha.active():
        contact = ContactFactory(company=CompanyFactory(owner=seller_user), owner=seller_user)
    case = make_case(alpha, contact=contact)
    seller = alpha.client("seller@example.test")
    page = seller.get(f"/companies/{case.company_id}/")

    assert seller.get(f"/customers/company/{case.company_id}/cases/").status_code == 403
    assert page.status_code == 200
    assert "/customers/company/" not in page.content.decode()
