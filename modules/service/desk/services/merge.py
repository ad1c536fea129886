"""Merging two cases of one request and splitting a case in two.

Merge: case B's messages (with their files) move to case A, where they fall into place by time;
B is closed with ``merged_into`` = A; both timelines say so, ``case.merged`` is written for A and
the case hooks hear "merged". Split: chosen messages of a case move to a new case of the same
customer and agent (created by ``create_case``, so numbering and the SLA clock apply to it);
``case.split`` is written for the original. Each is one transaction with both cases locked in id
order, so two merges of the same cases cannot cross.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.services.records import record_event
from modules.service.choices import StatusCategory
from modules.service.hooks import CaseChange, run_case_hooks
from modules.service.models import Case, CaseMessage
from modules.service.services.cases import _timeline, create_case, update_case
from modules.service.services.statuses import status_for

STAMPS_FIRST = ("first_response_at",)
STAMPS_LAST = ("last_customer_message_at", "last_agent_message_at")


def _locked(*cases: Case) -> dict[int, Case]:
    pks = sorted({case.pk for case in cases})
    locked = Case.objects.select_for_update().select_related("status").filter(pk__in=pks).order_by("pk")
    return {case.pk: case for case in locked}


def _restamp(case: Case) -> None:
    """The message times of ``case`` from its messages (after messages moved in or out)."""
    messages = list(case.messages.values_list("kind", "author_kind", "created_at"))
    agent_replies = [at for kind, author, at in messages if kind == "reply" and author == "agent"]
    customer = [at for _kind, author, at in messages if author == "customer"]
    case.first_response_at = min(agent_replies, default=None)
    case.last_agent_message_at = max(agent_replies, default=None)
    case.last_customer_message_at = max(customer, default=None)
    case.save(update_fields=["first_response_at", "last_agent_message_at", "last_customer_message_at", "updated_at"])


def merge_cases(source: Case, *, into: Case, by: User | None) -> Case:
    """Merge ``source`` into ``into``; returns ``into`` with the messages it now holds."""
    if source.pk == into.pk:
        raise ValidationError({"target": [_("A case cannot be merged into itself.")]})
    with transaction.atomic():
        cases = _locked(source, into)
        source, into = cases[source.pk], cases[into.pk]
        if source.merged_into_id is not None:
            raise ValidationError({"source": [_("This case was already merged into another one.")]})
        if into.merged_into_id is not None:
            raise ValidationError({"target": [_("That case was merged into another one: choose that one.")]})
        moved = CaseMessage.objects.filter(case=source).update(case=into)
        _restamp(into)
        _restamp(source)
        if source.status.category != StatusCategory.CLOSED:
            source = update_case(source, by=by, status=status_for(StatusCategory.CLOSED))
        Case.objects.filter(pk=source.pk).update(merged_into=into)
        source.merged_into = into
        Case.objects.filter(merged_into=source).update(merged_into=into)
        data = {"merged_case": source.pk, "merged_number": source.number, "messages": moved}
        _timeline(into, by, "merged", source_number=source.number, messages=moved)
        _timeline(source, by, "merged_into", target_number=into.number)
        record_event("merged", into, by=by, data=data)
        run_case_hooks(into, CaseChange("merged", by=by, extra=data))
    return into


def split_case(case: Case, *, message_ids: Sequence[Any], by: User | None, subject: str = "") -> Case:
    """Move the chosen messages of ``case`` to a new case of the same customer; returns the new case."""
    try:
        ids = sorted({int(str(pk)) for pk in message_ids})
    except ValueError:
        raise ValidationError({"messages": [_("Choose messages of this case.")]}) from None
    if not ids:
        raise ValidationError({"messages": [_("Choose the messages that go to the new case.")]})
    with transaction.atomic():
        case = _locked(case)[case.pk]
        if case.merged_into_id is not None:
            raise ValidationError({"messages": [_("A merged case cannot be split.")]})
        all_ids = set(case.messages.values_list("pk", flat=True))
        if not set(ids) <= all_ids:
            raise ValidationError({"messages": [_("Choose messages of this case.")]})
        if set(ids) == all_ids:
            raise ValidationError({"messages": [_("Leave at least one message on this case.")]})
        new = create_case(
            by=by, subject=subject.strip() or case.subject, contact=case.contact, company=case.company,
            channel=case.channel, priority=case.priority, category=case.category, team=case.team,
            language=case.language, deal=case.deal, order=case.order, product=case.product, owner=case.owner,
        )  # fmt: skip
        CaseMessage.objects.filter(pk__in=ids, case=case).update(case=new)
        _restamp(new)
        _restamp(case)
        data = {"new_case": new.pk, "new_number": new.number, "messages": len(ids)}
        _timeline(case, by, "split", new_number=new.number, messages=len(ids))
        _timeline(new, by, "split_from", source_number=case.number)
        record_event("split", case, by=by, data=data)
        run_case_hooks(case, CaseChange("split", by=by, extra=data))
    return new
