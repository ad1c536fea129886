"""Connected mailboxes: the first sync of an N-message mailbox from a local Dovecot vs a plain
imaplib fetch of the same messages, in the same run.

One bench tenant, one user's mailbox on a Dovecot started for the run (``tests.imap_server``'s
configuration, under ``var/bench``). N messages are delivered to its inbox by IMAP APPEND: from
N / 20 correspondents of 50 company domains (half of them known contacts), one in four a reply to
an earlier one. Then, against the same folder:

* **plain imaplib fetch (baseline)**: log in, SELECT, UID SEARCH ALL, UID FETCH BODY.PEEK[] in
  batches of the sync's batch size: the bytes off the wire and nothing else;
* **first sync**: ``services.sync.sync_mailbox`` as the task runs it: the same search and fetches,
  then per message parsing, the Message-ID check, threading, sanitising, matching to contacts and
  companies, links, timeline entries and an outbox event, one transaction per batch.
"""

from __future__ import annotations

import imaplib
import shutil
import time
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from loadtests import report
from loadtests.support import BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.contacts.models import Company, Contact
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}mailbox"
DOMAINS = 50
OWNER = "owner@sales.bench"


def _mails(count: int) -> list[bytes]:
    correspondents = max(count // 20, 1)
    now = timezone.now()
    raws = []
    for n in range(count):
        who = n % correspondents
        message = EmailMessage()
        message["From"] = f"Person {who} <person{who}@client{who % DOMAINS}.bench>"
        message["To"] = OWNER
        message["Message-ID"] = f"<box-{n}@client{who % DOMAINS}.bench>"
        message["Date"] = format_datetime(now)
        if n % 4 == 3:
            message["Subject"] = f"Re: Question {n - 1}"
            message["In-Reply-To"] = message["References"] = (
                f"<box-{n - 1}@client{(n - 1) % correspondents % DOMAINS}.bench>"
            )
        else:
            message["Subject"] = f"Question {n}"
        message.set_content(f"Hello, this is e-mail {n}.\n\nOn Monday, Sales wrote:\n> an earlier answer\n")
        message.add_alternative(f"<p>Hello, this is <b>e-mail {n}</b>.</p><script>alert(1)</script>", subtype="html")
        raws.append(message.as_bytes())
    return raws


def _deliver(server: Any, raws: list[bytes]) -> float:
    start = time.perf_counter()
    client = server.client()
    try:
        for raw in raws:
            typ, data = client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
            if typ != "OK":
                raise RuntimeError(f"APPEND refused: {data!r}")
    finally:
        client.logout()
    return time.perf_counter() - start


def _plain_fetch(server: Any, batch: int) -> tuple[float, int, int]:
    """(seconds, messages, bytes) of fetching every message of the inbox with imaplib."""
    start = time.perf_counter()
    client = imaplib.IMAP4("127.0.0.1", server.port)
    client.login(server.user, server.password)
    client.select("INBOX", readonly=True)
    _typ, data = client.uid("SEARCH", "ALL")
    uids = (data[0] or b"").split()
    fetched = size = 0
    for index in range(0, len(uids), batch):
        _typ, parts = client.uid("FETCH", b",".join(uids[index : index + batch]).decode(), "(UID BODY.PEEK[])")
        for part in parts:
            if isinstance(part, tuple):
                fetched += 1
                size += len(part[1])
    client.logout()
    return time.perf_counter() - start, fetched, size


def _known_contacts(count: int) -> None:
    correspondents = max(count // 20, 1)
    companies = Company.objects.bulk_create(
        [Company(name=f"Client {d}", website=f"https://client{d}.bench") for d in range(DOMAINS)]
    )
    Contact.objects.bulk_create(
        [
            Contact(first_name="Known", last_name=str(who), full_name=f"Known {who}",
                    email=f"person{who}@client{who % DOMAINS}.bench", company=companies[who % DOMAINS])
            for who in range(0, correspondents, 2)
        ]
    )  # fmt: skip


def run(count: int) -> tuple[str, list[str]]:
    from identity.services.accounts import ensure_user
    from identity.services.roles import ensure_system_roles
    from modules.mailboxes.choices import MailSecurity
    from modules.mailboxes.models import MailMessage, MailThread
    from modules.mailboxes.services.mailboxes import connect_mailbox
    from modules.mailboxes.services.sync import sync_mailbox
    from tests.imap_server import ImapServer

    facts: dict[str, Any] = {"count": count, "batch": settings.MAILBOXES_SYNC_BATCH}
    failures: list[str] = []
    root = settings.BASE_DIR / "var" / "bench" / "dovecot"
    shutil.rmtree(root, ignore_errors=True)
    server = ImapServer(root)
    server.start()
    log(f"mailbox sync: creating {SLUG}, {count:,} messages")
    tenant = create_tenant(SLUG, "clone")
    try:
        raws = _mails(count)
        facts["deliver"] = _deliver(server, raws)
        facts["bytes"] = sum(len(raw) for raw in raws)
        log("mailbox sync: plain imaplib fetch")
        facts["plain"], fetched, _size = _plain_fetch(server, facts["batch"])
        if fetched != count:
            failures.append(f"mailbox sync: imaplib fetched {fetched} of {count}")
        with tenant_context(tenant), override_settings(OUTBOUND_HTTP_ALLOW_PRIVATE=True):
            roles = ensure_system_roles()
            owner = ensure_user(email="owner@bench.example", role=roles["sales_rep"])
            _known_contacts(count)
            mailbox = connect_mailbox(
                owner=owner, email=OWNER, imap_host="127.0.0.1", imap_port=server.port,
                imap_security=MailSecurity.NONE, imap_user=server.user, imap_password=server.password,
                first_sync_days=30, sent_folder="",
            )  # fmt: skip
            log("mailbox sync: first sync")
            start = time.perf_counter()
            result = sync_mailbox(mailbox)
            facts["sync"] = time.perf_counter() - start
            facts["stored"] = MailMessage.objects.count()
            facts["threads"] = MailThread.objects.count()
            from modules.contacts.models import TimelineEntry

            facts["entries"] = TimelineEntry.objects.filter(kind="email").count()
            if result.stored != count or facts["stored"] != count:
                failures.append(f"mailbox sync: {facts['stored']} of {count} messages stored")
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return _section(facts), failures


def _section(facts: dict[str, Any]) -> str:
    count = facts["count"]
    rows: list[list[str]] = []
    if "plain" in facts:
        rows.append(["plain imaplib fetch of the same messages (baseline)", report.seconds(facts["plain"]),
                     f"{count / facts['plain']:,.0f}"])  # fmt: skip
    if "sync" in facts:
        rows.append(["first sync: `sync_mailbox`", report.seconds(facts["sync"]), f"{count / facts['sync']:,.0f}"])
    ratio = f"First sync / plain fetch: ×{facts['sync'] / facts['plain']:.1f}." if "sync" in facts else ""
    stored = (
        f"Stored {facts['stored']:,} messages in {facts['threads']:,} threads, {facts['entries']:,} timeline entries."
        if "stored" in facts
        else ""
    )
    return "\n".join(
        [
            f"## Connected mailboxes: first sync of {count:,} messages vs a plain imaplib fetch",
            "",
            report.machine(server_version()),
            "",
            f"{count:,} messages ({facts.get('bytes', 0) / 1e6:.1f} MB, text and HTML parts) delivered to one inbox of "
            f"a local Dovecot, from {max(count // 20, 1):,} correspondents of {DOMAINS} company domains (half of "
            "them known contacts), one in four a reply to an earlier message; one sample each, in the same run, "
            f"against the same folder, fetched in batches of {facts['batch']}. The baseline only fetches the bytes "
            "with imaplib; the sync also parses, threads, sanitises, matches, links, writes timeline entries and "
            "outbox events, one transaction per batch.",
            "",
            report.table(["measurement", "time", "messages/s"], rows),
            "",
            ratio,
            "",
            stored,
        ]
    )
