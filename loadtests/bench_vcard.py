"""vCard import at scale: a file of N cards uploaded on the import page vs COPY of the same contacts.

One bench tenant; a .vcf of N cards is built in memory, as address books write them: nine in ten
vCard 3.0 person cards (name, two e-mail addresses, two phone numbers, an organisation, a postal
address, a note), one in ten vCard 2.1 cards in Windows-1252 with quoted-printable values, and one
organisation card per fifty persons. In the same run:

* **COPY (baseline)**: the persons' contact rows streamed into ``contacts_contact`` with
  PostgreSQL's COPY in one transaction, then removed again (DELETE + VACUUM ANALYZE);
* **first import**: the file posted to ``/contacts/import/`` as a signed-in admin, exactly what a
  browser sends: reading every card, matching by e-mail, phone and name, companies, validation as
  the record services validate, bulk writes with the timeline entries and outbox events, and the
  report page of every card;
* **re-import**: the same file again, every card now matching the contact it created (the report
  says "nothing new" for each), the matching path at full size.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from identity.models import User
from loadtests import report
from loadtests.bench_import import _copy, _empty_contacts
from loadtests.support import BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.contacts.models import Company, Contact
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}vcard"
COMPANY_EVERY = 50
LEGACY_EVERY = 10


def _person(n: int) -> bytes:
    organisation = f"Organisation {n // COMPANY_EVERY}"
    if n % LEGACY_EVERY == 0:  # Outlook: vCard 2.1, Windows-1252, quoted-printable
        return (
            f"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=Windows-1252:Müller{n};Jörg{n}\r\n"
            f"ORG;CHARSET=Windows-1252:{organisation}\r\nEMAIL;PREF;INTERNET:person{n}@vcard.bench\r\n"
            f"TEL;WORK;VOICE:+40 21 {n:07d}\r\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=Windows-1252:Gr=FC=DFe =\r\n"
            f"an {n}.\r\nEND:VCARD\r\n"
        ).encode("cp1252")
    return (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Last{n};First{n};;;\r\nFN:First{n} Last{n}\r\n"
        f"EMAIL;TYPE=INTERNET;TYPE=WORK:person{n}@vcard.bench\r\nEMAIL;TYPE=INTERNET;TYPE=HOME:home{n}@vcard.bench\r\n"
        f"TEL;TYPE=CELL:+40 7{n:08d}\r\nTEL;TYPE=WORK:+40 21 {n:07d}\r\nORG:{organisation};Sales\r\n"
        f"ADR;TYPE=WORK:;;Strada {n};Cluj-Napoca;;400000;RO\r\nNOTE:Card {n}\\, imported.\r\nEND:VCARD\r\n"
    ).encode()


def _organisation(number: int) -> bytes:
    return (
        f"BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\nFN:Organisation {number}\r\nORG:Organisation {number}\r\n"
        f"URL:https://org{number}.vcard.bench\r\nEND:VCARD\r\n"
    ).encode()


def _file(count: int) -> tuple[bytes, int]:
    """The file and its number of person cards (``count`` cards in all)."""
    cards: list[bytes] = []
    persons = 0
    while len(cards) < count:
        if persons % COMPANY_EVERY == 0 and len(cards) + 1 < count:
            cards.append(_organisation(persons // COMPANY_EVERY))
        cards.append(_person(persons))
        persons += 1
    return b"".join(cards), persons


@dataclass(frozen=True)
class Outcome:
    """The report page's counts, as its summary gives them (the rows come a page at a time)."""

    imported: int
    updated: int
    skipped: int


def _backend_cpu() -> tuple[int, float]:
    """The PostgreSQL backend serving this connection (the test client's requests keep it) and the
    CPU seconds it has used, user and system."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@dataclass(frozen=True)
class Timing:
    """Wall time, and the CPU time of the web process and of its database backend: on a shared
    machine the wall time waits for the cores, the CPU time is the work itself."""

    wall: float
    python: float
    database: float


def _post(client: Client, content: bytes) -> tuple[Timing, Outcome, str]:
    backend, database = _backend_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    response = client.post("/contacts/import/", {"file": SimpleUploadedFile("bench.vcf", content)})
    wall, python = time.perf_counter() - start, time.process_time() - cpu
    after, database_after = _backend_cpu()
    if after != backend:
        raise RuntimeError("the request did not keep its database connection: its CPU cannot be read")
    timing = Timing(wall, python, database_after - database)
    html = response.content.decode()
    if response.status_code != 200 or 'data-testid="import-report"' not in html:
        raise RuntimeError(f"the import page answered {response.status_code} without a report")
    counts = re.search(r'data-imported="(\d+)" data-updated="(\d+)" data-skipped="(\d+)"', html)
    if counts is None:
        raise RuntimeError("the report page gives no counts")
    return timing, Outcome(*(int(count) for count in counts.groups())), html


def _report_page(client: Client, html_of_answer: str) -> float:
    """Wall time of a later page of the report (the last cards, skipped ones only), as the importer
    reads on."""
    found = re.search(r'href="(/contacts/import/report/[\w-]+/)\?status=skipped"', html_of_answer)
    if found is None:
        raise RuntimeError("the report page links to no further page")
    start = time.perf_counter()
    response = client.get(found.group(1), {"status": "skipped", "page": 50})
    if response.status_code != 200:
        raise RuntimeError(f"a page of the report answered {response.status_code}")
    return time.perf_counter() - start


def run(count: int) -> tuple[str, list[str]]:
    log(f"vcard: creating {SLUG}, {count:,} cards")
    tenant = create_tenant(SLUG, "clone")
    failures: list[str] = []
    facts: dict[str, Any] = {"count": count}
    try:
        with tenant_context(tenant):
            owner = User.objects.get(email=f"admin@{SLUG}.test")
            content, persons = _file(count)
            facts.update(file_mb=len(content) / 1024 / 1024, persons=persons)
            rows = [[f"First{n}", f"Last{n}", f"person{n}@vcard.bench", f"+40 7{n:08d}", "Cluj-Napoca", "RO"]
                    for n in range(persons)]  # fmt: skip
            log("vcard: COPY baseline")
            facts["copy"] = _copy(rows, owner)
            _empty_contacts()
            client = Client(HTTP_HOST=tenant.primary_host)
            client.force_login(owner, backend="identity.backends.EmailBackend")
            # A web worker has served pages before anyone imports: its first request imports the
            # tenant URLconf and every view module behind it (11 s of the first import in a profile
            # at load 3), which is the process starting, not the import.
            if client.get("/contacts/import/").status_code != 200:
                failures.append("vcard: the import page did not answer 200")
            log("vcard: first import")
            facts["first"], first, _html = _post(client, content)
            facts["first_counts"] = (first.imported, first.updated, first.skipped)
            facts["contacts"], facts["companies"] = Contact.objects.count(), Company.objects.count()
            log("vcard: re-import")
            facts["again"], again, answer = _post(client, content)
            log("vcard: a later page of the report")
            facts["page"] = _report_page(client, answer)
            facts["again_counts"] = (again.imported, again.updated, again.skipped)
            if first.imported != count or Contact.objects.count() != persons:
                failures.append(f"vcard: expected {count:,} cards imported, report says {facts['first_counts']}")
            if again.skipped != count or Contact.objects.count() != persons:
                failures.append(f"vcard: the re-import should match every card, report says {facts['again_counts']}")
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(facts), failures


def _section(facts: dict[str, Any]) -> str:
    count = facts["count"]
    rows: list[list[str]] = []
    if "copy" in facts:
        rows.append(["COPY of the persons' contact rows (baseline)", report.seconds(facts["copy"]), "", "", "",
                     f"{facts['persons'] / facts['copy']:,.0f}", "1×"])  # fmt: skip
    for key, label in (("first", "first import (page, every card new)"), ("again", "re-import (every card matched)")):
        if key in facts:
            timing: Timing = facts[key]
            rows.append([
                label, report.seconds(timing.wall), report.seconds(timing.python), report.seconds(timing.database),
                report.seconds(timing.python + timing.database), f"{count / timing.wall:,.0f}",
                f"{timing.wall / facts['copy']:,.0f}×" if "copy" in facts else "",
            ])  # fmt: skip
    if "page" in facts:
        rows.append(["a later page of the re-import's report (the skipped cards, page 50)",
                     report.seconds(facts["page"]), "", "", "", "", ""])  # fmt: skip
    outcome = ""
    if "first_counts" in facts:
        outcome = (
            "Reports: first import {:,} imported, {:,} updated, {:,} skipped; ".format(*facts["first_counts"])
            + "re-import {:,} imported, {:,} updated, {:,} skipped. ".format(*facts.get("again_counts", (0, 0, 0)))
            + f"{facts['contacts']:,} contacts and {facts['companies']:,} companies after the first import."
        )
    return "\n".join(
        [
            f"## vCard import: {count:,} cards through the import page vs COPY",
            "",
            report.machine(server_version()),
            "",
            f"{count:,} cards in a {facts.get('file_mb', 0):.1f} MB .vcf: {facts.get('persons', 0):,} persons "
            f"(nine in ten vCard 3.0 with two e-mails, two phones, an organisation, an address and a note; one "
            f"in ten vCard 2.1 in Windows-1252 with quoted-printable), and one organisation card (KIND:org) per "
            f"{COMPANY_EVERY} persons. Each import is one POST of the file to the import page as a signed-in "
            "admin (reading, matching by e-mail, phone and name, validation, bulk writes with timeline entries "
            "and outbox events, the report's first page of 100 cards), after one visit to the page (the "
            "process's start, importing every view, is not the import's); one sample each, in the same run. "
            "COPY writes the persons' contact rows only. The goal: 5,000 cards under 10 s. CPU: the web "
            "process's own and its PostgreSQL backend's (from /proc), the work itself, whatever else shares the cores.",
            "",
            report.table(["measurement", "time", "CPU web", "CPU database", "CPU both", "cards/s", "× COPY"], rows),
            "",
            outcome,
        ]
    )
