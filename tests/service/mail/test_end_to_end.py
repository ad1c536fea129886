"""E-mail to case end to end with real servers: the customer's mail sits in a Dovecot inbox, the
intake reads it over IMAP, the replies go out through an SMTP server (aiosmtpd) and come back."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from identity.models import Team
from modules.service.choices import CaseChannel, MessageAuthor
from modules.service.mail.models import InboundMail, OutboundMail, SupportAddress
from modules.service.mail.tasks import poll_support_address
from modules.service.models import Case, CaseMessage
from modules.service.services.cases import add_message
from tests.imap_server import ImapServer
from tests.mail_server import MailServer
from tests.service.mail.conftest import customer_mail, make_address, reply_to
from tests.tenancy import TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")


def _address(alpha: TenantFixture, imap: ImapServer, **values: Any) -> SupportAddress:
    with alpha.active():
        team = Team.objects.get(name="Field sales")
    return make_address(
        alpha, imap_host="127.0.0.1", imap_port=imap.port, imap_security="none", imap_user=imap.user,
        imap_password=imap.password, team=team, **values,
    )  # fmt: skip


def _poll(alpha: TenantFixture, address: SupportAddress, capture: Any) -> int:
    with alpha.active(), capture(execute=True):
        return poll_support_address(address.pk)


def _bounce(to_message: EmailMessage) -> EmailMessage:
    bounce = EmailMessage()
    bounce["From"] = "Mail Delivery System <MAILER-DAEMON@mx.customer-co.example>"
    bounce["To"] = "help@acme-support.example"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Message-ID"] = "<bounce-1@mx.customer-co.example>"
    bounce.set_content("This is the mail system. Your message could not be delivered.")
    bounce.add_attachment(
        "Reporting-MTA: dns; mx.customer-co.example\n\nFinal-Recipient: rfc822; nobody@customer-co.example\n"
        "Action: failed\nStatus: 5.1.1\n", subtype="delivery-status",
    )  # fmt: skip
    bounce.replace_header("Content-Type", 'multipart/report; report-type=delivery-status; boundary="' +
                          str(bounce.get_boundary()) + '"')  # fmt: skip
    return bounce


def test_a_customer_mail_opens_a_case_the_reply_goes_out_and_the_answer_threads_in(
    alpha: TenantFixture, imap_server: ImapServer, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
):
    address = _address(alpha, imap_server, auto_acknowledge=True, name="ACME support")
    first = customer_mail()
    imap_server.append(first.as_bytes())

    assert _poll(alpha, address, django_capture_on_commit_callbacks) == 1

    with alpha.active():
        case = Case.objects.select_related("contact__company", "team").get()
        assert case.channel == CaseChannel.EMAIL
        assert case.subject == "The printer does not print"
        assert case.team is not None
        assert case.team.name == "Field sales"
        assert case.contact.email == "carla@customer-co.example"
        assert case.contact.full_name == "Carla Customer"
        assert case.contact.company.name == "customer-co.example"
        inbound = case.messages.get(author_kind=MessageAuthor.CUSTOMER)
        assert inbound.message_id == first["Message-ID"]
        assert "blinks red" in inbound.body_text
        address.refresh_from_db()
        assert address.last_uid == 1
        assert address.uidvalidity
        assert address.last_error == ""
    # The acknowledgement: RFC 3834's header, the token, threaded to the customer's message.
    [ack] = smtp_server.to("carla@customer-co.example")
    assert ack["Auto-Submitted"] == "auto-replied"
    assert f"[{case.number}]" in ack["Subject"]
    assert ack["In-Reply-To"] == first["Message-ID"]
    assert "ACME support" in ack["From"]
    assert "help@acme-support.example" in ack["From"]

    with alpha.active(), django_capture_on_commit_callbacks(execute=True):
        agent_reply = add_message(
            case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="Please switch it off and on."
        )
        note = add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, kind="note", body_text="Tier 2?")

    sent = smtp_server.to("carla@customer-co.example")
    assert len(sent) == 2  # the acknowledgement and the reply; never the internal note
    reply = sent[-1]
    with alpha.active():
        agent_reply.refresh_from_db()
        assert not OutboundMail.objects.filter(message=note).exists()
    assert reply["Message-ID"].strip() == agent_reply.message_id  # a long header comes folded
    assert reply["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in reply["References"]
    assert ack["Message-ID"] in reply["References"]
    assert reply["Subject"] == f"[{case.number}] Re: The printer does not print"
    assert reply["Auto-Submitted"] is None
    assert "Please switch it off and on." in reply.get_content()

    answer = reply_to(reply, body="Done, it prints again. Thanks!")
    imap_server.append(answer.as_bytes())
    assert _poll(alpha, address, django_capture_on_commit_callbacks) == 1

    with alpha.active():
        assert Case.objects.count() == 1
        authors = list(case.messages.values_list("author_kind", flat=True))
        assert authors == ["customer", "system", "agent", "agent", "customer"]
        assert case.messages.last().body_text.startswith("Done, it prints again.")
    assert len(smtp_server.messages) == 2  # no second acknowledgement for a reply


def test_an_auto_reply_to_the_agent_does_not_loop_and_a_bounce_opens_no_case(
    alpha: TenantFixture, imap_server: ImapServer, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
):
    address = _address(alpha, imap_server, auto_acknowledge=True)
    imap_server.append(customer_mail().as_bytes())
    _poll(alpha, address, django_capture_on_commit_callbacks)
    [ack] = smtp_server.messages

    out_of_office = reply_to(ack, body="I am out of the office until Monday.", Auto_Submitted="auto-replied")
    imap_server.append(out_of_office.as_bytes())
    imap_server.append(_bounce(ack).as_bytes())
    assert _poll(alpha, address, django_capture_on_commit_callbacks) == 2

    with alpha.active():
        assert Case.objects.count() == 1
        assert CaseMessage.objects.filter(author_kind=MessageAuthor.CUSTOMER).count() == 1
        reasons = dict(InboundMail.objects.filter(outcome="ignored").values_list("message_id", "reason"))
    assert reasons == {
        out_of_office["Message-ID"]: "Auto-Submitted: auto-replied",
        "<bounce-1@mx.customer-co.example>": "delivery or read report",
    }
    assert len(smtp_server.messages) == 1  # nothing answered the robots


def test_a_rebuilt_mailbox_is_read_again_without_duplicates(
    alpha: TenantFixture, imap_server: ImapServer, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
):
    imap_server.create("Support")
    address = _address(alpha, imap_server, imap_folder="Support")
    for number in range(3):
        imap_server.append(customer_mail(subject=f"Question {number}").as_bytes(), "Support")
    assert _poll(alpha, address, django_capture_on_commit_callbacks) == 3
    with alpha.active():
        address.refresh_from_db()
    validity = address.uidvalidity

    imap_server.recreate("Support")
    imap_server.append(customer_mail(subject="Question 3").as_bytes(), "Support")
    assert _poll(alpha, address, django_capture_on_commit_callbacks) == 4  # all read again

    with alpha.active():
        address.refresh_from_db()
        assert address.uidvalidity != validity
        assert address.last_uid == 4
        assert sorted(Case.objects.values_list("subject", flat=True)) == [f"Question {n}" for n in range(4)]
    assert _poll(alpha, address, django_capture_on_commit_callbacks) == 0  # nothing new


def test_a_refused_login_is_shown_to_the_administrator(
    alpha: TenantFixture, imap_server: ImapServer, django_capture_on_commit_callbacks: Any
):
    address = _address(alpha, imap_server)
    with alpha.active():
        SupportAddress.objects.filter(pk=address.pk).update(imap_user="nobody")
    assert _poll(alpha, address, django_capture_on_commit_callbacks) == 0

    with alpha.active():
        address.refresh_from_db()
    assert address.last_error == "The IMAP server 127.0.0.1 refused the login."
    page = alpha.client().get(f"/settings/support-addresses/{address.pk}/")
    assert page.status_code == 200
    assert "refused the login" in page.content.decode()
