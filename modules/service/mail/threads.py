"""Which case an incoming e-mail answers: by the ids it answers (In-Reply-To, References) against
the case messages' Message-IDs, by the case token in its subject (``[C-00012]``), and by the
conversation of Outlook's Thread-Index. A subject that merely starts with "Re:" is no reply, and a
token threads only mail from someone who took part in the case."""

from __future__ import annotations

import re

from django.db.models import Q

from core.mail.freemail import is_free_mail
from core.mail.parsing import ParsedMail
from modules.service.mail.models import InboundMail
from modules.service.models import Case, CaseMessage

CASE_TOKEN = re.compile(r"\[(C-\d{1,12})\]")
MAX_MERGE_HOPS = 10


def case_token(case: Case) -> str:
    return f"[{case.number}]"


def subject_with_token(case: Case, subject: str) -> str:
    """``subject`` carrying the case's token once (added in front of the text, after "Re: ")."""
    token = case_token(case)
    subject = subject.strip() or case.subject
    if token in subject:
        return subject
    return f"{token} {subject}"


def _followed(case: Case | None) -> Case | None:
    """A merged case's conversation goes on in the case it was merged into."""
    hops = 0
    while case is not None and case.merged_into_id is not None and hops < MAX_MERGE_HOPS:
        case = Case.objects.select_related("status").filter(pk=case.merged_into_id).first()
        hops += 1
    return case


def _by_ids(mail: ParsedMail) -> Case | None:
    ids = mail.thread_ids
    if not ids:
        return None
    found = dict(CaseMessage.objects.filter(message_id__in=ids).values_list("message_id", "case_id"))
    for message_id in ids:  # the nearest answered message wins
        if message_id in found:
            return Case.objects.select_related("status").filter(pk=found[message_id]).first()
    return None


def is_participant(case: Case, sender: str) -> bool:
    """Whether ``sender`` took part in ``case``: its contact, anyone on one of its e-mails, or a
    colleague of the contact (same domain, not a free mail one). Case numbers are sequential, so a
    subject token alone must not let a stranger write into someone's case."""
    contact = case.contact
    if contact is not None:
        emails = {contact.email.lower(), *(email.lower() for email in contact.additional_emails)}
        if sender in emails:
            return True
        domain = sender.rsplit("@", 1)[-1]
        if not is_free_mail(domain) and any(email.endswith(f"@{domain}") for email in emails if email):
            return True
    on_a_message = (
        Q(from_address__iexact=sender) | Q(to_addresses__contains=[sender]) | Q(cc_addresses__contains=[sender])
    )
    return CaseMessage.objects.filter(on_a_message, case=case).exists()


def _by_token(mail: ParsedMail) -> Case | None:
    for number in CASE_TOKEN.findall(mail.subject):
        case = Case.objects.select_related("status", "contact").filter(number=number).first()
        if case is not None and is_participant(case, mail.from_address):
            return case
    return None


def _by_thread_index(mail: ParsedMail) -> Case | None:
    if not mail.thread_key:
        return None
    known = (
        InboundMail.objects.filter(thread_key=mail.thread_key, case__isnull=False)
        .order_by("-id")
        .values_list("case_id", flat=True)
        .first()
    )
    return Case.objects.select_related("status").filter(pk=known).first() if known else None


def find_case(mail: ParsedMail) -> Case | None:
    """The case ``mail`` continues, if any (a merged case gives the case it went into)."""
    for finder in (_by_ids, _by_token, _by_thread_index):
        case = finder(mail)
        if case is not None:
            return _followed(case)
    return None
