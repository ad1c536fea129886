"""A quote sent from its page by e-mail: the compose form opens on the quote's contact with the
subject and message filled, the e-mail reaching a real SMTP server carries the quote's PDF, the
message is on the contact's and the deal's timelines, and the draft quote becomes sent; someone
who may not see the quote, another tenant or a role without the permission gets nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.models import MailAttachment, MailLink, MailMessage
from modules.sales.services.quotes import add_line, create_quote
from tests.factories import ContactFactory, DealFactory
from tests.mail_server import MailServer
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture(autouse=True)
def private_files(tmp_path: Path, settings: Any) -> None:
    settings.PRIVATE_FILES_ROOT = tmp_path


def _quote(tenant: TenantFixture) -> Any:
    with tenant.active():
        rep = tenant.user(REP_EMAIL)
        contact = ContactFactory(first_name="Ada", email="ada@analytical.example", owner=rep)
        deal = DealFactory(contact=contact, company=contact.company, owner=rep)
        quote = create_quote(deal=deal, by=rep)
        add_line(quote, by=rep, description="Engine", quantity=Decimal("2"), unit_price=Decimal("100"))
        return quote


def test_a_quote_is_sent_by_email_with_its_pdf_to_its_contact(
    alpha: TenantFixture, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
):
    quote = _quote(alpha)
    client = alpha.client(REP_EMAIL)

    assert 'data-testid="send-quote-email"' in client.get(f"/quotes/{quote.pk}/").content.decode()
    opened = client.get(f"/mail/compose/quote/{quote.pk}/")
    assert opened["Location"] == f"/mail/compose/contact/{quote.contact_id}/?quote={quote.pk}"
    form = client.get(opened["Location"])
    values = form.context["values"]
    assert (values["to"], values["subject"]) == ("ada@analytical.example", f"Quote {quote.number}")
    assert quote.number in values["body"]
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(opened["Location"], {**values, "quote": str(quote.pk)})

    assert sent.status_code == 302
    [mail] = smtp_server.to("ada@analytical.example")
    [pdf] = list(mail.iter_attachments())
    assert pdf.get_filename() == f"{quote.number}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    with alpha.active():
        message = MailMessage.objects.get()
        assert MailAttachment.objects.get(message=message).name == f"{quote.number}.pdf"
        links = set(MailLink.objects.filter(message=message).values_list("contact_id", "deal_id"))
        assert links == {(quote.contact_id, None), (None, quote.deal_id)}
        assert TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, deal_id=quote.deal_id).exists()
        quote.refresh_from_db()
        assert quote.status == "sent"


def test_only_those_who_may_see_the_quote_send_it(alpha: TenantFixture, beta: TenantFixture, smtp_server: MailServer):
    quote = _quote(alpha)
    compose = f"/mail/compose/contact/{quote.contact_id}/"
    data = {"to": "ada@analytical.example", "subject": "Q", "body": "B", "quote": str(quote.pk)}

    assert_cross_tenant_requests_fail(
        alpha, beta, [("get", f"/mail/compose/quote/{quote.pk}/", {}), ("post", compose, data)]
    )
    revoke(alpha, "sales_rep", "sales.view")
    assert alpha.client(REP_EMAIL).get(f"/mail/compose/quote/{quote.pk}/").status_code == 404
    assert alpha.client(REP_EMAIL).post(compose, data).status_code == 404
    revoke(alpha, "sales_rep", "activities.change")
    assert alpha.client(REP_EMAIL).get(f"/mail/compose/quote/{quote.pk}/").status_code == 403
    with alpha.active():
        assert not MailMessage.objects.exists()
        quote.refresh_from_db()
        assert quote.status == "draft"
    assert smtp_server.messages == []
