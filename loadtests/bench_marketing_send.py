"""A marketing campaign to N recipients (100,000 by default) through the send engine and real Celery
workers into a local SMTP sink, against a plain ``smtplib`` loop handing the same pre-rendered
message to the same sink in the same run; then a second send to the same N with the workers
SIGKILLed at random (a seeded RNG), counted at the sink by Message-ID.

    run(recipients=100_000, seed=16) -> (markdown section, failures)
    # make bench BENCH_ARGS="--only marketing_send"

* **baseline**: one ``smtplib.SMTP`` connection, ``sendmail`` of one message the engine rendered
  (the first recipient's), N times: what the sink and the loopback take, with no rendering, no
  database and no queue.
* **engine**: ``start_send`` writes the N recipients' rows and queues the workers; ``workers``
  prefork processes (the engine's default concurrency, 2 on this machine) claim batches, render each
  message (merge fields, tracking links, the signed unsubscribe headers), journal it in Redis, hand
  it over, and record each batch's results (the rows, a timeline entry and an outbox event per
  message) in one commit. Timed from the commit of ``start_send`` to the last row sent.
* **killed workers**: the same send with, every few seconds (a seeded RNG picks the moment and the
  victim; a kill waits until some rows were recorded sent since the last one, so kills never
  outpace a new worker's start), one pool process or the whole worker killed with SIGKILL and a
  new worker started when the whole one died; beat's ``resume_sends`` is queued every few seconds,
  as beat does every minute. The workers' lease is short (``MARKETING_SEND_LEASE_SECONDS``) so a
  dead worker's rows come back within the run. No recipient may arrive twice; every recipient
  must arrive, except those whose hand-over a kill interrupted: the engine leaves them
  ``unconfirmed`` (the server may or may not have them; a marketer decides), at most one per
  killed process. The sink tells which of them it had in fact received.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import smtplib
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection
from django_tenants.utils import tenant_context

from loadtests import report
from loadtests.smtp_sink import HOST
from loadtests.support import BASE_DIR, BENCH_SLUG_PREFIX, create_tenant, log, server_version, stop_process
from modules.registry import OPTIONAL_MODULE_KEYS
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}marketing"
BATCH = 100_000
LEASE_SECONDS = 10
TIMEOUT_SECONDS = 3 * 3600
# Seconds between two kills (uniform), and between two queued resume_sends (beat's job).
KILL_INTERVAL = (5.0, 20.0)
RESUME_EVERY = 5.0
CONTACTS_SQL = """
INSERT INTO contacts_contact (first_name, last_name, full_name, job_title, department, source, lifecycle_stage,
    description, email, additional_emails, phone, additional_phones, street, city, region, postal_code, country,
    custom, created_at, updated_at)
SELECT 'Reader' || g, 'Bench', 'Reader' || g || ' Bench', '', '', 'website', 'lead', '',
    'reader' || g || '@people.bench', '{}', '', '{}', '', 'Lyon', '', '', 'FR', '{}', now(), now()
FROM generate_series(%(first)s::int, %(last)s::int) AS g
"""
MEMBERS_SQL = """
INSERT INTO marketing_segmentmember (segment_id, contact_id, source, added_at)
SELECT %(segment)s, id, 'static', now() FROM contacts_contact WHERE email LIKE '%%@people.bench'
ORDER BY id LIMIT %(limit)s
"""
CONTENT = [
    {"type": "heading", "text": "Autumn news", "level": 1, "align": "left"},
    {"type": "text", "html": "<p>Hello {{ contact.first_name }}, here is what is new in {{ contact.city }}.</p>"},
    {"type": "button", "label": "Read more", "href": "https://example.com/news"},
    {"type": "text", "html": '<p>See <a href="https://example.com/offers">our offers</a>.</p>'},
]


class Sink:
    """The sink process on a loopback port, appending each accepted Message-ID to ``output``
    (its own errors beside it, ``<name>-sink.log``). ``watch`` starts it again on the same port if it died,
    so a run goes on; ``deaths`` says how often that happened."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self._errors = output.with_name(f"{output.stem}-sink.log")
        self.port = _free_port()
        self.deaths: list[int] = []
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        errors = self._errors.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "loadtests.smtp_sink", str(self.port), str(self.output)],
            cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=errors,
        )  # fmt: skip
        line = process.stdout.readline() if process.stdout else b""
        if line.strip() != b"ready":
            process.kill()
            raise RuntimeError(f"the SMTP sink did not start (see {self._errors})")
        return process

    def watch(self) -> None:
        code = self.process.poll()
        if code is not None:
            self.deaths.append(code)
            log(f"marketing send: the SMTP sink exited with {code}; started again on port {self.port}")
            self.process = self._start()

    def received(self) -> Counter[str]:
        """Stop the sink and count the Message-IDs it accepted."""
        stop_process(self.process)
        return Counter(self.output.read_text().split())


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _start_worker(environment: dict[str, str], concurrency: int, log_file: Path, name: str) -> subprocess.Popen[bytes]:
    output = log_file.open("ab")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "crm_platform", "worker", "--pool", "prefork",
            "--concurrency", str(concurrency), "--loglevel", "WARNING", "--without-mingle", "--without-gossip",
            "-n", f"{name}-{os.getpid()}@%h",
        ],
        cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited: {log_file.read_text()[-2000:]}")
        if len(_children(process.pid)) >= concurrency:
            return process
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("celery worker did not start within 120 s")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _stop_worker(process: subprocess.Popen[bytes]) -> None:
    stop_process(process)
    # Pool processes a SIGKILLed parent left behind (their session is the worker's).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _fill(tenant: Any, recipients: int, killed: int) -> tuple[float, int, int]:
    """The contacts, a segment of all of them and one of the first ``killed`` (the killed run's)."""
    from modules.marketing.choices import SegmentKind
    from modules.marketing.models import Segment

    started = time.perf_counter()
    with tenant_context(tenant):
        segment = Segment.objects.create(name="Bench readers", kind=SegmentKind.STATIC)
        fewer = Segment.objects.create(name="Bench readers, killed run", kind=SegmentKind.STATIC)
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as raw:
        raw.execute(f'SET search_path TO "{tenant.schema_name}", public')
        for first in range(1, recipients + 1, BATCH):
            raw.execute(CONTACTS_SQL, {"first": first, "last": min(first + BATCH - 1, recipients)})
        raw.execute(MEMBERS_SQL, {"segment": segment.pk, "limit": recipients})
        raw.execute(MEMBERS_SQL, {"segment": fewer.pk, "limit": killed})
        raw.execute("ANALYZE contacts_contact")
        raw.execute("ANALYZE marketing_segmentmember")
    return time.perf_counter() - started, segment.pk, fewer.pk


def _email(segment_id: int, name: str) -> Any:
    from modules.marketing.models import MarketingEmail

    return MarketingEmail.objects.create(
        name=name, subject="News for {{ contact.first_name }}", from_name="Bench", from_address="news@bench.example",
        content=CONTENT, segment_id=segment_id,
    )  # fmt: skip


def _baseline(email: Any, recipients: int, output: Path) -> dict[str, Any]:
    """The first recipient's message rendered by the engine, then sent N times with smtplib."""
    from modules.contacts.models import Contact
    from modules.marketing.delivery.models import Recipient
    from modules.marketing.delivery.services.messages import MessageBuilder

    contact = Contact.objects.filter(email__endswith="@people.bench").order_by("pk").first()
    row = Recipient(pk=1, email=email, contact=contact, address=contact.email, message_id="<baseline@bench.example>")  # type: ignore[union-attr]
    # The bytes the engine hands to an SMTP server for this row (``MessageBuilder.raw``).
    sender, address, raw = MessageBuilder(email).raw(row)
    to = [address]
    sink = Sink(output)
    try:
        started = time.perf_counter()
        with smtplib.SMTP(HOST, sink.port) as client:
            for _index in range(recipients):
                client.sendmail(sender, to, raw)
        seconds = time.perf_counter() - started
    finally:
        received = sink.received()
    return {"seconds": seconds, "received": sum(received.values()), "size": len(raw)}


def _wait_for_send(email_id: int, on_tick: Any = None) -> float:
    from modules.marketing.delivery.choices import PENDING
    from modules.marketing.delivery.models import Recipient

    started = time.perf_counter()
    deadline = time.monotonic() + TIMEOUT_SECONDS
    next_report = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not Recipient.objects.filter(email_id=email_id, state__in=PENDING).exists():
            return time.perf_counter() - started
        if on_tick is not None:
            on_tick()
        if time.monotonic() >= next_report:
            pending = Recipient.objects.filter(email_id=email_id, state__in=PENDING).count()
            log(f"marketing send: {pending:,} rows still pending after {time.perf_counter() - started:.0f} s")
            next_report = time.monotonic() + 60
        time.sleep(0.5)
    raise TimeoutError(f"the send of e-mail {email_id} did not finish within {TIMEOUT_SECONDS} s")


def _engine(segment_id: int, environment: dict[str, str], workers: int, output: Path, log_file: Path) -> dict[str, Any]:
    from modules.marketing.delivery.services.sends import start_send

    sink = Sink(output)
    environment = {**environment, "EMAIL_PORT": str(sink.port)}
    worker = _start_worker(environment, workers, log_file, "bench-marketing")
    try:
        email = _email(segment_id, "Bench send")
        started = time.perf_counter()
        start_send(email, by=None)
        facts: dict[str, Any] = {"start_send": time.perf_counter() - started}
        log("marketing send: rows written; the workers send")
        facts["seconds"] = _wait_for_send(email.pk, on_tick=sink.watch)
    finally:
        _stop_worker(worker)
        received = sink.received()
    facts.update(_exactness(email.pk, received), sink_deaths=sink.deaths)
    return facts


def _killed(segment_id: int, environment: dict[str, str], workers: int, seed: int, output: Path, log_file: Path):  # type: ignore[no-untyped-def]
    from modules.marketing.delivery.services.sends import start_send
    from modules.marketing.delivery.tasks import resume_sends

    rng = random.Random(seed)  # noqa: S311 - a reproducible schedule of kills, not a secret
    sink = Sink(output)
    environment = {
        **environment, "EMAIL_PORT": str(sink.port),
        "MARKETING_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
    }  # fmt: skip
    state = {"worker": _start_worker(environment, workers, log_file, "bench-killed"), "kills": 0, "whole": 0}
    clock = {"next_kill": time.monotonic() + rng.uniform(*KILL_INTERVAL), "next_resume": time.monotonic()}
    progress = {"email": 0, "sent": 0}

    def tick() -> None:
        sink.watch()
        now = time.monotonic()
        if now >= clock["next_resume"]:
            resume_sends.apply_async()
            clock["next_resume"] = now + RESUME_EVERY
        if now < clock["next_kill"]:
            return
        # The next kill waits until rows were recorded sent since the last one: on a loaded machine a
        # new worker can take longer to start than the interval, and kills would then stop all work.
        sent = _sent(progress["email"])
        if sent <= progress["sent"]:
            return
        progress["sent"] = sent
        worker = state["worker"]
        victims = _children(worker.pid)
        victim = rng.choice([*victims, worker.pid])
        if victim == worker.pid:
            os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool at once
            worker.wait()
            state["whole"] += 1
            state["kills"] += len(victims)
            state["worker"] = _start_worker(environment, workers, log_file, "bench-killed")
        else:
            os.kill(victim, signal.SIGKILL)  # one pool process; the worker starts another
            state["kills"] += 1
        clock["next_kill"] = time.monotonic() + rng.uniform(*KILL_INTERVAL)

    try:
        email = _email(segment_id, "Bench send, workers killed")
        progress["email"] = email.pk
        start_send(email, by=None)
        facts: dict[str, Any] = {"seconds": _wait_for_send(email.pk, on_tick=tick)}
    finally:
        _stop_worker(state["worker"])
        received = sink.received()
    facts.update(
        _exactness(email.pk, received), kills=state["kills"], whole=state["whole"], seed=seed, sink_deaths=sink.deaths
    )
    return facts


def _sent(email_id: int) -> int:
    from modules.marketing.delivery.models import Recipient

    return Recipient.objects.filter(email_id=email_id, state="sent").count()


def _exactness(email_id: int, received: Counter[str]) -> dict[str, Any]:
    """Each row's Message-ID against what the sink counted."""
    from modules.marketing.delivery.models import Recipient

    rows = dict(Recipient.objects.filter(email_id=email_id).values_list("message_id", "state"))
    unconfirmed = {message_id for message_id, state in rows.items() if state == "unconfirmed"}
    duplicated = {message_id: count for message_id, count in received.items() if count > 1}
    return {
        "rows": len(rows),
        "received": sum(received.values()),
        "distinct": len(set(received) & set(rows)),
        # Missing and not unconfirmed: a recipient the engine believes served, or lost.
        "missing": len(set(rows) - set(received) - unconfirmed),
        "unknown": len(set(received) - set(rows)),
        "duplicates": sum(count - 1 for count in duplicated.values()),
        "unconfirmed": len(unconfirmed),
        # Unconfirmed rows whose message the sink had in fact accepted before the kill.
        "unconfirmed_received": len(unconfirmed & set(received)),
    }


def run(recipients: int = 100_000, seed: int = 16, killed_recipients: int | None = None) -> tuple[str, list[str]]:
    from modules.marketing.delivery.models import DeliverySettings
    from modules.marketing.delivery.services import limits

    # As many worker processes as the engine runs at once by default.
    workers = int(DeliverySettings._meta.get_field("max_concurrency").default)

    log(f"marketing send: creating {SLUG} with {recipients:,} contacts")
    tenant = create_tenant(SLUG, "clone")
    tenant.enabled_modules = list(OPTIONAL_MODULE_KEYS)
    tenant.save(update_fields=["enabled_modules"])
    failures: list[str] = []
    killed_recipients = min(killed_recipients or recipients, recipients)
    facts: dict[str, Any] = {"recipients": recipients, "killed_recipients": killed_recipients, "workers": workers}
    scratch = BASE_DIR / "var" / "bench-marketing"
    scratch.mkdir(parents=True, exist_ok=True)
    for stale in scratch.glob("*"):
        stale.unlink()
    environment = {
        **os.environ, "PYTHONUNBUFFERED": "1", "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": HOST, "EMAIL_USE_TLS": "false",
    }  # fmt: skip
    try:
        facts["fill"], segment_id, killed_segment_id = _fill(tenant, recipients, killed_recipients)
        with tenant_context(tenant):
            # The plan's ceiling: the benchmark measures the engine, not the tenant's rate.
            DeliverySettings.objects.create(messages_per_minute=100_000)
            limits.forget_limits(tenant.schema_name)
            log("marketing send: smtplib baseline")
            facts["baseline"] = _baseline(_email(segment_id, "Bench baseline"), recipients, scratch / "baseline.txt")
            log(f"marketing send: baseline {recipients / facts['baseline']['seconds']:,.0f} messages/s")
            log(f"marketing send: the engine with {workers} worker processes")
            facts["engine"] = _engine(segment_id, environment, workers, scratch / "engine.txt", scratch / "worker.log")
            log(f"marketing send: engine {recipients / facts['engine']['seconds']:,.0f} messages/s")
            limits.forget_limits(tenant.schema_name)
            log(f"marketing send: workers killed at random (seed {seed})")
            facts["killed"] = _killed(
                killed_segment_id, environment, workers, seed, scratch / "killed.txt", scratch / "killed.log"
            )
            log(f"marketing send: {facts['killed']['kills']} processes killed; {facts['killed']}")
        failures += _failures(facts)
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        delete_tenant_schema(tenant)
    return _section(facts, failures), failures


def _failures(facts: dict[str, Any]) -> list[str]:
    failures = []
    n = facts["recipients"]
    if facts["baseline"]["received"] != n:
        failures.append(f"baseline: the sink counted {facts['baseline']['received']} of {n} messages")
    for name in ("engine", "killed"):
        got = facts[name]
        n = facts["recipients"] if name == "engine" else facts["killed_recipients"]
        if got["missing"] or got["unknown"] or got["distinct"] + got["unconfirmed"] - got["unconfirmed_received"] != n:
            failures.append(
                f"{name}: {got['distinct']} of {n} recipients reached, {got['unconfirmed']} unconfirmed,"
                f" {got['missing']} missing, {got['unknown']} unknown"
            )
        if got["duplicates"]:
            failures.append(f"{name}: {got['duplicates']} recipients got a second copy")
    for name in ("engine", "killed"):
        if facts[name]["sink_deaths"]:
            failures.append(f"{name}: the SMTP sink died (exit codes {facts[name]['sink_deaths']}) and was restarted")
    if facts["engine"]["unconfirmed"]:
        failures.append(f"engine: {facts['engine']['unconfirmed']} unconfirmed with no worker killed")
    killed = facts["killed"]
    if killed["unconfirmed"] > killed["kills"]:
        failures.append(f"killed: {killed['unconfirmed']} unconfirmed for {killed['kills']} processes killed")
    return failures


def _section(facts: dict[str, Any], failures: list[str]) -> str:
    from modules.marketing.delivery.services.engine import batch_size

    n, batch = facts["recipients"], batch_size()
    base, engine, killed = facts["baseline"], facts["engine"], facts["killed"]
    rows = [
        [
            "baseline: one smtplib connection, the same pre-rendered message",
            report.seconds(base["seconds"]), f"{n / base['seconds']:,.0f}",
        ],
        [
            f"engine: {facts['workers']} Celery worker processes, render + hand over + record",
            report.seconds(engine["seconds"]), f"{n / engine['seconds']:,.0f}",
        ],
        [
            f"engine, {killed['kills']} processes SIGKILLed at random ({facts['killed_recipients']:,} recipients)",
            report.seconds(killed["seconds"]), f"{facts['killed_recipients'] / killed['seconds']:,.0f}",
        ],
    ]  # fmt: skip
    exact = [
        [name, f"{got['received']:,}", f"{got['distinct']:,}", str(got["missing"]), str(got["duplicates"]),
         f"{got['unconfirmed']} ({got['unconfirmed_received']} of them at the sink)"]
        for name, got in (("engine", engine), (f"workers killed (seed {killed['seed']})", killed))
    ]  # fmt: skip
    problems = "\n".join(f"- **FAILED** {failure}" for failure in failures) or "- none"
    return f"""
## Marketing send: {n:,} recipients into a local SMTP sink

_{report.machine(server_version())}_

{n:,} contacts in a static segment ({facts["fill"]:.0f} s to write by SQL); an e-mail of four blocks with
merge fields, click tracking on two links, the open pixel and the RFC 8058 unsubscribe headers
({base["size"]:,} bytes a message). The sink is aiosmtpd on a loopback port in a process of its own,
writing each message's Message-ID to a file; it offers PIPELINING (RFC 2920) as Postfix does, which
the engine uses (one SMTP round trip per message) and the baseline's `sendmail` does not.
`start_send` wrote the {n:,} rows and queued the workers in {engine["start_send"]:.1f} s (not in the
engine's time below). The engine journals each
hand-over in Redis and writes a batch's results ({batch} rows) in one commit.

{report.table(["run", "time", "messages/s"], rows)}

Counted at the sink by Message-ID (each row has its own, fixed when the row is written). A row a
kill interrupted mid-hand-over (the engine's in-flight window: at most one message per dead process)
is left `unconfirmed` and never handed over again by itself: "unconfirmed" counts them, and how many
of them the sink had in fact accepted before the kill (the others never reached it). "missing"
counts rows neither received nor unconfirmed:

{report.table(["send", "received", "recipients reached", "missing", "duplicates", "unconfirmed"], exact)}

In the killed run {killed["whole"]} of the kills took the whole worker (parent and pool) down and a
new worker was started; the others killed one pool process, which Celery replaces. The workers' lease
was {LEASE_SECONDS} s, so a dead process's rows were taken over within the run.

Problems:

{problems}
"""
