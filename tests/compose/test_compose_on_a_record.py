"""Writing an e-mail on a record: a workflow template's merge fields filled from the record, an
attachment, sent through the workspace's way of sending to a real SMTP server with its Message-ID,
stored as a composed message linked to the record; a reply threads onto it; refusals and isolation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customization.workflows.models import EmailTemplate
from modules.mailboxes.models import MailAttachment, MailLink, MailMessage
from modules.mailboxes.services.compose import Draft, compose
from tests.factories import CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.mail_server import MailServer
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, revoke

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture(autouse=True)
def private_files(tmp_path: Path, settings: Any) -> None:
    settings.PRIVATE_FILES_ROOT = tmp_path


def _contact(tenant: TenantFixture) -> Any:
    with tenant.active():
        return ContactFactory(first_name="Ada", last_name="Lovelace", email="ada@analytical.example")


def test_an_email_written_on_a_contact_is_sent_threaded_with_its_template_and_attachment(
    alpha: TenantFixture, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
):
    contact = _contact(alpha)
    with alpha.active():
        template = EmailTemplate.objects.create(
            name="Follow-up", subject="Hello {{ record.first_name }}", body="Dear {{ record.first_name }}, as promised."
        )
    client = alpha.client()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/mail/compose/contact/{contact.pk}/",
            {
                "to": "ada@analytical.example",
                "cc": "",
                "subject": "",
                "body": "",
                "template": str(template.pk),
                "send_at": "",
                "attachments": SimpleUploadedFile("offer.pdf", b"%PDF-1.4 offer", content_type="application/pdf"),
            },
        )

    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    [sent] = smtp_server.to("ada@analytical.example")
    with alpha.active():
        message = MailMessage.objects.get()
        assert message.origin == "composed"
        assert message.direction == "out"
        assert message.send_state == "sent"
        assert message.sent_at is not None
        assert list(MailLink.objects.filter(message=message).values_list("contact_id", flat=True)) == [contact.pk]
        assert MailAttachment.objects.get(message=message).name == "offer.pdf"
    assert sent["Subject"] == "Hello Ada"
    assert "Dear Ada, as promised." in sent.get_body(preferencelist=("plain",)).get_content()
    assert sent["Message-ID"].strip() == message.message_id
    assert sent["Reply-To"] == alpha.user().email
    [attachment] = list(sent.iter_attachments())
    assert attachment.get_filename() == "offer.pdf"
    assert attachment.get_content() == b"%PDF-1.4 offer"

    # A follow-up answering it stays in the thread, with the threading headers a reader needs.
    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        follow_up = compose(
            contact, "contact", Draft(to=["ada@analytical.example"], subject="Re: Hello Ada", body="Any news?"),
            by=alpha.user(), answering=message,
        )  # fmt: skip
    second = smtp_server.to("ada@analytical.example")[-1]
    assert follow_up.thread_id == message.thread_id
    assert second["In-Reply-To"] == message.message_id
    assert message.message_id in second["References"]


def test_a_scheduled_email_waits_for_its_time(alpha: TenantFixture, smtp_server: MailServer):
    contact = _contact(alpha)
    later = timezone.now() + timedelta(hours=2)

    with alpha.active():
        message = compose(
            contact, "contact", Draft(to=["ada@analytical.example"], subject="Later", body="b", send_at=later),
            by=alpha.user(),
        )  # fmt: skip
        from modules.mailboxes.services.compose import send_composed

        outcome = send_composed(message.pk)
        message.refresh_from_db()

    assert outcome == "not yet"
    assert message.send_state == "scheduled"
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("to", {"to": "not-an-address"}),
        ("to", {"to": ""}),
        ("subject", {"subject": "bad\x00subject"}),
        ("subject", {"subject": "s" * 301}),
        ("body", {"body": "x" * 200_001}),
        ("send_at", {"send_at": "99999-01-01T10:00"}),
        ("send_at", {"send_at": "3000-01-01T10:00"}),
        ("template", {"template": "abc"}),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(
    alpha: TenantFixture, smtp_server: MailServer, field: str, values: dict[str, str]
):
    contact = _contact(alpha)
    data = {"to": "ada@analytical.example", "subject": "Hi", "body": "Body", "template": "", "send_at": "", **values}

    response = alpha.client().post(f"/mail/compose/contact/{contact.pk}/", data)

    assert response.status_code == 400
    assert field in response.context["errors"]
    with alpha.active():
        assert not MailMessage.objects.exists()
    assert smtp_server.messages == []


def test_another_tenant_and_a_role_without_the_permission_are_refused(
    alpha: TenantFixture, beta: TenantFixture, smtp_server: MailServer
):
    contact = _contact(alpha)
    data = {"to": "ada@analytical.example", "subject": "Hi", "body": "Body"}

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [("get", f"/mail/compose/contact/{contact.pk}/", {}), ("post", f"/mail/compose/contact/{contact.pk}/", data)],
    )
    revoke(alpha, "admin", "activities.change")
    assert alpha.client().post(f"/mail/compose/contact/{contact.pk}/", data).status_code == 403
    assert alpha.client().get("/mail/compose/ticket/1/").status_code in {403, 404}
    with alpha.active():
        assert not MailMessage.objects.exists()
    assert smtp_server.messages == []


def test_the_form_starts_with_the_records_address(alpha: TenantFixture, django_assert_max_num_queries: Any):
    contact = _contact(alpha)
    client = alpha.client()
    client.get("/")  # the session's first request stamps the sign-in

    with django_assert_max_num_queries(25):
        response = client.get(f"/mail/compose/contact/{contact.pk}/")

    assert response.status_code == 200
    assert response.context["values"]["to"] == "ada@analytical.example"


def test_every_record_page_offers_writing_an_email_to_those_who_may(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(email="grace@navy.example")
        records = {
            "contact": (contact, f"/contacts/{contact.pk}/"),
            "company": (company := CompanyFactory(), f"/companies/{company.pk}/"),
            "lead": (lead := LeadFactory(), f"/leads/{lead.pk}/"),
            "deal": (deal := DealFactory(), f"/deals/{deal.pk}/"),
        }
    client = alpha.client()
    for entity, (record, page) in records.items():
        assert f'href="/mail/compose/{entity}/{record.pk}/"' in client.get(page).content.decode(), entity

    revoke(alpha, "admin", "activities.change")
    for entity, (_record, page) in records.items():
        response = alpha.client().get(page)
        assert response.status_code == 200, entity
        assert "/mail/compose/" not in response.content.decode(), entity


def test_a_message_whose_task_was_lost_is_sent_once_by_the_sweep(alpha: TenantFixture, smtp_server: MailServer):
    # In a test transaction the tasks queued on commit never run: every message here lost its task.
    from modules.mailboxes.compose_tasks import send_all_lost_composed_mail, send_lost_composed_mail
    from modules.mailboxes.services.compose import send_composed

    contact = _contact(alpha)
    long_ago = timezone.now() - timedelta(minutes=10)
    with alpha.active():
        drafts = {
            subject: compose(
                contact,
                "contact",
                Draft(to=["ada@analytical.example"], subject=subject, body="b", send_at=send_at),
                by=alpha.user(),
            )
            for subject, send_at in (
                ("Was due", timezone.now() + timedelta(minutes=5)),
                ("Queued long ago", None),
                ("Retrying with backoff", None),
                ("Just written", None),
                ("Due later", timezone.now() + timedelta(hours=1)),
            )
        }
        MailMessage.objects.filter(pk=drafts["Was due"].pk).update(send_after=long_ago)
        MailMessage.objects.filter(pk=drafts["Queued long ago"].pk).update(created_at=long_ago)
        MailMessage.objects.filter(pk=drafts["Retrying with backoff"].pk).update(created_at=long_ago, send_attempts=1)

        assert send_lost_composed_mail() == 2
        assert send_lost_composed_mail() == 0
        assert send_composed(drafts["Was due"].pk) == "skipped"  # a late redelivery of its task

    assert sorted(sent["Subject"] for sent in smtp_server.to("ada@analytical.example")) == [
        "Queued long ago",
        "Was due",
    ]
    from crm_platform.celery import app

    assert app.conf.beat_schedule["mailboxes-send-lost-composed"]["task"] == send_all_lost_composed_mail.name
