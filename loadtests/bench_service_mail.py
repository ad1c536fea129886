"""E-mail to case: N inbound e-mails through the intake vs plain inserts of the same rows.

One bench tenant with one support address. N e-mails are built in memory: new requests from
N / 2 senders (half of them known contacts, the other half new ones of 50 company domains) and, for
a quarter of them, a reply threading into the case of an earlier one by In-Reply-To. In the same
run:

* **plain inserts (baseline)**: the rows the intake ends with — a contact per new sender, a case
  per new request, a case message per e-mail and the intake's record of it — written with
  ``bulk_create`` in one transaction, then removed again;
* **intake**: every e-mail through ``services.intake.receive`` one by one, as the IMAP task and the
  webhook call it: parsing, loop checks, the Message-ID check, threading, sender matching (and a new
  contact and company), ``create_case`` / ``add_message`` with the timeline entries, outbox events
  and case hooks, one transaction per e-mail.
"""

from __future__ import annotations

import time
from email.message import EmailMessage
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from loadtests import report
from loadtests.support import BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.contacts.models import Contact
from modules.service.choices import CaseChannel, MessageAuthor, StatusCategory
from modules.service.mail.models import InboundMail
from modules.service.mail.services.addresses import create_address
from modules.service.mail.services.intake import receive
from modules.service.models import Case, CaseMessage
from modules.service.services.statuses import seed_service, status_for
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}mail"
DOMAINS = 50


def _mails(count: int) -> list[tuple[bytes, str, str | None]]:
    """(raw, sender, the Message-ID it answers) for ``count`` e-mails."""
    mails: list[tuple[bytes, str, str | None]] = []
    senders = max(count // 2, 1)
    for n in range(count):
        sender = f"person{n % senders}@client{n % DOMAINS}.bench"
        message = EmailMessage()
        message["From"] = f"Person {n % senders} <{sender}>"
        message["To"] = "help@support.bench"
        message["Message-ID"] = f"<mail-{n}@client{n % DOMAINS}.bench>"
        answers = f"<mail-{n - 1}@client{(n - 1) % DOMAINS}.bench>" if n % 4 == 3 else None
        if answers:
            message["Subject"] = f"Re: Question {n - 1}"
            message["In-Reply-To"] = answers
            message["References"] = answers
        else:
            message["Subject"] = f"Question {n}"
        message.set_content(f"Hello, this is e-mail {n}.\n\nOn Monday, Support wrote:\n> an earlier answer\n")
        mails.append((message.as_bytes(), sender, answers))
    return mails


def _known_contacts(count: int) -> None:
    senders = max(count // 2, 1)
    Contact.objects.bulk_create(
        [
            Contact(
                first_name="Known",
                last_name=str(n),
                full_name=f"Known {n}",
                email=f"person{n}@client{n % DOMAINS}.bench",
            )
            for n in range(0, senders, 2)
        ]
    )


def _plain_inserts(mails: list[tuple[bytes, str, str | None]], address: Any) -> float:
    status = status_for(StatusCategory.NEW)
    now = timezone.now()
    start = time.perf_counter()
    with transaction.atomic():
        known = {c.email: c for c in Contact.objects.filter(email__endswith=".bench")}
        new_contacts = {}
        for _raw, sender, _answers in mails:
            if sender not in known and sender not in new_contacts:
                new_contacts[sender] = Contact(first_name="Person", last_name=sender, full_name=sender, email=sender)
        Contact.objects.bulk_create(list(new_contacts.values()))
        contacts = {**known, **new_contacts}
        cases = {}
        for n, (_raw, sender, answers) in enumerate(mails):
            if answers is None:
                cases[f"<mail-{n}@client{n % DOMAINS}.bench>"] = Case(
                    number=f"P-{n:07d}", subject=f"Question {n}", contact=contacts[sender], channel=CaseChannel.EMAIL,
                    status=status, status_changed_at=now,
                )  # fmt: skip
        Case.objects.bulk_create(list(cases.values()))
        messages, records = [], []
        for n, (_raw, sender, answers) in enumerate(mails):
            message_id = f"<mail-{n}@client{n % DOMAINS}.bench>"
            case = cases[answers] if answers else cases[message_id]
            message = CaseMessage(
                case=case, author_kind=MessageAuthor.CUSTOMER, contact=contacts[sender], channel=CaseChannel.EMAIL,
                from_address=sender, subject=f"Question {n}", body_text=f"Hello, this is e-mail {n}.",
                message_id=message_id,
            )  # fmt: skip
            messages.append(message)
            records.append(
                InboundMail(address=address, message_id=message_id, sender=sender, outcome="opened", case=case)
            )
        CaseMessage.objects.bulk_create(messages)
        for record, message in zip(records, messages, strict=True):
            record.case_message = message
        InboundMail.objects.bulk_create(records)
    return time.perf_counter() - start


def _remove_rows() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM service_mail_inboundmail")
        cursor.execute("DELETE FROM service_casemessage")
        cursor.execute("DELETE FROM service_case")
        cursor.execute("DELETE FROM contacts_contact WHERE first_name <> 'Known'")
        for table in ("service_mail_inboundmail", "service_casemessage", "service_case", "contacts_contact"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def run(count: int) -> tuple[str, list[str]]:
    log(f"service mail: creating {SLUG}, {count:,} e-mails")
    tenant = create_tenant(SLUG, "clone")
    failures: list[str] = []
    facts: dict[str, Any] = {"count": count}
    try:
        with tenant_context(tenant):
            seed_service()
            address = create_address(by=None, email="help@support.bench")
            mails = _mails(count)
            _known_contacts(count)
            log("service mail: plain inserts baseline")
            facts["plain"] = _plain_inserts(mails, address)
            facts["plain_cases"] = Case.objects.count()
            _remove_rows()
            log("service mail: the intake")
            start = time.perf_counter()
            outcomes: dict[str, int] = {}
            for raw, _sender, _answers in mails:
                outcome = receive(address, raw).outcome
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            facts["intake"] = time.perf_counter() - start
            facts["cases"] = Case.objects.count()
            facts["outcomes"] = outcomes
            if facts["cases"] != facts["plain_cases"] or CaseMessage.objects.count() != count:
                failures.append(f"service mail: {facts['cases']} cases vs {facts['plain_cases']} by plain inserts")
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(facts), failures


def _section(facts: dict[str, Any]) -> str:
    count = facts["count"]
    rows: list[list[str]] = []
    if "plain" in facts:
        rows.append(["plain inserts of the same rows (baseline)", report.seconds(facts["plain"]),
                     f"{count / facts['plain']:,.0f}", f"{facts['plain_cases'] / facts['plain']:,.0f}"])  # fmt: skip
    if "intake" in facts:
        rows.append(["intake: receive() per e-mail", report.seconds(facts["intake"]),
                     f"{count / facts['intake']:,.0f}", f"{facts['cases'] / facts['intake']:,.0f}"])  # fmt: skip
    ratio = f"Intake / plain inserts: ×{facts['intake'] / facts['plain']:.0f}." if "intake" in facts else ""
    outcomes = ", ".join(f"{value:,} {name}" for name, value in sorted(facts.get("outcomes", {}).items()))
    return "\n".join(
        [
            f"## E-mail to case: {count:,} inbound e-mails through the intake vs plain inserts",
            "",
            report.machine(server_version()),
            "",
            f"{count:,} e-mails, one sample each, in the same run and the same tables (emptied in between): "
            "three in four open a case (half of their senders known contacts, the others new contacts of "
            f"{DOMAINS} company domains), one in four replies to an earlier one by In-Reply-To. The intake "
            "takes each e-mail alone, as the IMAP task and the webhook do: parsing, loop checks, the "
            "Message-ID check, threading, sender matching, `create_case` / `add_message` with their timeline "
            "entries, outbox events and case hooks, one transaction per e-mail. The baseline writes the "
            "contacts, cases, messages and intake records the intake ends with by `bulk_create` in one "
            "transaction.",
            "",
            report.table(["measurement", "time", "e-mails/s", "cases/s"], rows),
            "",
            ratio,
            "",
            f"Intake outcomes: {outcomes}." if outcomes else "",
        ]
    )
