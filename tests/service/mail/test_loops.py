"""Loop protection (RFC 3834): what a machine wrote opens no case and gets no answer; at most N
acknowledgements per sender and hour; the acknowledgement says it is automatic."""

from __future__ import annotations

from typing import Any

import pytest

from modules.service.mail.models import InboundMail, OutboundMail
from modules.service.mail.services.intake import receive
from modules.service.models import Case
from tests.service.mail.conftest import customer_mail, make_address
from tests.tenancy import TenantFixture


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"Auto_Submitted": "auto-generated; owner-email=x@y.example"}, "Auto-Submitted: auto-generated"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"Precedence": "junk"}, "Precedence: junk"),
        ({"Precedence": "list"}, "Precedence: list"),
        ({"X_Autoreply": "yes"}, "X-Autoreply present"),
        ({"X_Autorespond": "Out of office"}, "X-Autorespond present"),
        ({"Return_Path": "<>"}, "empty Return-Path (bounce)"),
    ],
)
def test_automatic_mail_opens_no_case(alpha: TenantFixture, headers: dict[str, str], reason: str):
    address = make_address(alpha, auto_acknowledge=True)
    with alpha.active():
        inbound = receive(address, customer_mail(**headers).as_bytes())
        assert not Case.objects.exists()
        assert not OutboundMail.objects.exists()
    assert (inbound.outcome, inbound.reason) == ("ignored", reason)


@pytest.mark.parametrize(
    "sender", ["MAILER-DAEMON@mx.example", "postmaster@customer-co.example", "help@acme-support.example",
               "Sales <SALES@acme-support.example>"],
)  # fmt: skip
def test_robots_and_the_workspaces_own_addresses_open_no_case(alpha: TenantFixture, sender: str):
    address = make_address(alpha, auto_acknowledge=True)
    make_address(alpha, email="sales@acme-support.example")
    with alpha.active():
        inbound = receive(address, customer_mail(sender=sender).as_bytes())
        assert not Case.objects.exists()
    assert inbound.outcome == "ignored"


def test_auto_submitted_no_is_a_person(alpha: TenantFixture):
    address = make_address(alpha)
    with alpha.active():
        assert receive(address, customer_mail(Auto_Submitted="no").as_bytes()).outcome == "opened"


def test_at_most_three_acknowledgements_per_sender_and_hour(alpha: TenantFixture, settings: Any):
    settings.SERVICE_MAIL_ACKS_PER_SENDER_PER_HOUR = 3
    address = make_address(alpha, auto_acknowledge=True)
    with alpha.active():
        for number in range(5):
            receive(address, customer_mail(subject=f"Question {number}").as_bytes())
        assert Case.objects.count() == 5
        assert OutboundMail.objects.filter(kind="ack").count() == 3
        assert InboundMail.objects.filter(acknowledged_at__isnull=False).count() == 3
        other = receive(address, customer_mail(sender="dan@other.example").as_bytes())
        assert other.acknowledged_at is not None


def test_a_closed_cases_follow_up_opens_a_new_case(alpha: TenantFixture):
    from modules.service.choices import StatusCategory
    from modules.service.services.cases import update_case
    from modules.service.services.statuses import status_for

    address = make_address(alpha)
    first = customer_mail()
    with alpha.active():
        case = receive(address, first.as_bytes()).case
        update_case(case, by=None, status=status_for(StatusCategory.CLOSED))
        again = receive(address, customer_mail(In_Reply_To=first["Message-ID"], subject="Re: again").as_bytes())
    assert again.outcome == "opened"
    assert again.case_id != case.pk
    assert case.number in again.case.description


def test_known_and_free_mail_senders_are_matched(alpha: TenantFixture):
    from tests.factories import CompanyFactory, ContactFactory

    address = make_address(alpha)
    with alpha.active():
        known = ContactFactory(email="Known.Person@Client.example", company=CompanyFactory(name="Client Ltd"))
        by_known = receive(address, customer_mail(sender="known.person@client.example").as_bytes()).case
        colleague = receive(address, customer_mail(sender="Pat Lee <pat@client.example>").as_bytes()).case
        free = receive(address, customer_mail(sender="Sam <sam1990@gmail.com>").as_bytes()).case
    assert by_known.contact_id == known.pk
    assert colleague.contact.company_id == known.company_id
    assert (colleague.contact.first_name, colleague.contact.last_name) == ("Pat", "Lee")
    assert free.contact.company_id is None


def test_a_strangers_mail_with_a_case_token_opens_a_case_of_its_own(alpha: TenantFixture):
    address = make_address(alpha)
    with alpha.active():
        case = receive(address, customer_mail().as_bytes()).case
        stranger = receive(
            address, customer_mail(sender="eve@attacker.example", subject=f"[{case.number}] hi").as_bytes()
        )
        colleague = receive(
            address, customer_mail(sender="bo@customer-co.example", subject=f"[{case.number}] hi").as_bytes()
        )
    assert stranger.outcome == "opened"
    assert stranger.case_id != case.pk
    assert colleague.outcome == "threaded"
    assert colleague.case_id == case.pk
