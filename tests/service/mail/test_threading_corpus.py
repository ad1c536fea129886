"""The threading corpus (``corpus/*.eml``) against many conversations: replies carrying only
References, replies from people in copy, Outlook replies with only a Thread-Index, forwards,
replies to another support address, subject-token-only replies, and new mails that merely look like
replies. At least 99.5 % must land where they belong."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from string import Template

from modules.service.choices import MessageAuthor
from modules.service.mail.services.intake import receive
from modules.service.services.cases import add_message
from tests.service.mail.conftest import make_address
from tests.tenancy import TenantFixture

CORPUS = Path(__file__).parent / "corpus"
CONVERSATIONS = 25


def _thread_index(seed: str, replies: int = 0) -> str:
    data = hashlib.sha256(seed.encode()).digest()[:22] + b"\x00\x01\x02\x03\x04" * replies
    return base64.b64encode(data).decode()


def _render(name: str, **values: str) -> tuple[str, bytes]:
    text = (CORPUS / name).read_text()
    expect = text.splitlines()[0].split(":", 1)[1].strip()
    body = Template(text.split("\n", 1)[1]).substitute(values)
    return expect, body.replace("\n", "\r\n").encode("latin-1", errors="replace")


def test_at_least_99_5_percent_of_the_corpus_lands_in_the_right_case(alpha: TenantFixture):
    help_desk = make_address(alpha)
    other_desk = make_address(alpha, email="sales@acme-support.example")
    templates = sorted(path.name for path in CORPUS.glob("*.eml") if path.name != "first.eml")
    results: list[tuple[str, bool]] = []
    with alpha.active():
        for n in range(CONVERSATIONS):
            values = {
                "n": str(n), "subject": f"Printer {n} shows error E{n:02d}",
                "customer": f"customer{n}@client{n % 5}.example", "colleague": f"colleague{n}@client{n % 5}.example",
                "thread_root": _thread_index(f"conversation {n}"),
                "thread_reply": _thread_index(f"conversation {n}", replies=2),
                "other_thread": _thread_index(f"another conversation {n}"),
                "message_id": f"<first-{n}@client{n % 5}.example>",
            }  # fmt: skip
            _expect, raw = _render("first.eml", **values)
            first = receive(help_desk, raw)
            case = first.case
            assert case is not None
            agent = add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="Please restart it.")
            agent.refresh_from_db()
            values.update(first_id=values["message_id"], agent_id=agent.message_id, token=f"[{case.number}]")
            for name in templates:
                values["message_id"] = f"<{name}-{n}@client{n % 5}.example>"
                expect, raw = _render(name, **values)
                desk = other_desk if name.startswith("other_support_address") else help_desk
                inbound = receive(desk, raw)
                landed = inbound.case_id == case.pk if expect == "same" else inbound.case_id not in (None, case.pk)
                results.append((f"{name} #{n}", landed))

    wrong = [name for name, landed in results if not landed]
    assert len(results) == CONVERSATIONS * len(templates) >= 200
    assert (len(results) - len(wrong)) / len(results) >= 0.995, wrong
