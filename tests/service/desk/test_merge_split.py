"""Merging case B into A (messages and files move in order, B closed and pointing at A, both
timelines, the event and the hook) and splitting messages off into a new case of the customer."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.events.models import DomainEvent
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.service.choices import MessageAuthor, MessageKind, StatusCategory
from modules.service.desk.services.merge import merge_cases, split_case
from modules.service.hooks import _HOOKS, CaseChange, register_case_hook
from modules.service.models import Case, CaseAttachment, CaseMessage
from modules.service.services.cases import add_message
from tests.factories import ContactFactory
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture


def _say(case: Case, text: str, author: str = MessageAuthor.CUSTOMER) -> CaseMessage:
    return add_message(case, by=None, author_kind=author, body_text=text)


@pytest.fixture
def heard():
    changes: list[tuple[int, CaseChange]] = []
    register_case_hook("test-heard", lambda case, change: changes.append((case.pk, change)))
    yield changes
    _HOOKS.pop("test-heard", None)


def test_merging_moves_messages_and_files_in_order_and_closes_the_source(alpha: TenantFixture, heard) -> None:
    with alpha.active():
        contact = ContactFactory()
    target = make_case(alpha, contact=contact, subject="Printer")
    source = make_case(alpha, contact=contact, subject="Printer again")
    with alpha.active():
        by = alpha.user()
        first = _say(target, "one")
        second = _say(source, "two")
        CaseAttachment.objects.create(message=second, storage_key="cases/merge-test.txt", name="a.txt",
                                      content_type="text/plain", size=1)  # fmt: skip
        third = _say(target, "three")
        reply = _say(source, "agent four", MessageAuthor.AGENT)

        merged = merge_cases(source, into=target, by=by)

        source.refresh_from_db()
        target.refresh_from_db()
        assert merged.pk == target.pk
        assert list(target.messages.values_list("pk", flat=True)) == [first.pk, second.pk, third.pk, reply.pk]
        assert CaseAttachment.objects.get(storage_key="cases/merge-test.txt").message.case_id == target.pk
        assert not source.messages.exists()
        assert source.merged_into_id == target.pk
        assert source.status.category == StatusCategory.CLOSED
        assert target.first_response_at == reply.created_at
        assert target.last_customer_message_at == third.created_at
        event = DomainEvent.objects.get(type="case.merged", record_id=target.pk)
        assert event.data["merged_number"] == source.number
        actions = set(
            TimelineEntry.objects.filter(kind=TimelineKind.CASE, contact=contact).values_list("data__action", flat=True)
        )
        assert {"merged", "merged_into"} <= actions
        assert (target.pk, "merged") in [(pk, change.action) for pk, change in heard]


def test_merging_into_itself_or_twice_is_refused_and_changes_nothing(alpha: TenantFixture) -> None:
    target = make_case(alpha)
    source = make_case(alpha)
    other = make_case(alpha)
    with alpha.active():
        by = alpha.user()
        message = _say(source, "kept")
        with pytest.raises(ValidationError) as itself:
            merge_cases(source, into=source, by=by)
        merge_cases(other, into=target, by=by)
        with pytest.raises(ValidationError) as merged_target:
            merge_cases(source, into=other, by=by)

        assert list(itself.value.message_dict) == ["target"]
        assert list(merged_target.value.message_dict) == ["target"]
        message.refresh_from_db()
        assert message.case_id == source.pk
        source.refresh_from_db()
        assert source.merged_into_id is None


def test_splitting_moves_the_chosen_messages_to_a_new_case_of_the_customer(alpha: TenantFixture) -> None:
    case = make_case(alpha, subject="Two problems")
    with alpha.active():
        by = alpha.user()
        keep = _say(case, "printer")
        move_one = _say(case, "and the scanner")
        move_two = add_message(case, by=by, author_kind=MessageAuthor.AGENT, kind=MessageKind.NOTE, body_text="note")

        new = split_case(case, message_ids=[str(move_one.pk), move_two.pk], by=by, subject="Scanner")

        assert (new.subject, new.contact_id, new.company_id) == ("Scanner", case.contact_id, case.company_id)
        assert list(new.messages.values_list("pk", flat=True)) == [move_one.pk, move_two.pk]
        assert list(case.messages.values_list("pk", flat=True)) == [keep.pk]
        assert DomainEvent.objects.get(type="case.split", record_id=case.pk).data["new_number"] == new.number
        new.refresh_from_db()
        assert new.last_customer_message_at == move_one.created_at


def test_a_split_needs_some_but_not_all_messages_of_the_case(alpha: TenantFixture) -> None:
    case = make_case(alpha)
    other = make_case(alpha)
    with alpha.active():
        by = alpha.user()
        only = _say(case, "only")
        foreign = _say(other, "foreign")
        cases_before = Case.objects.count()
        errors = []
        for ids in ([], [only.pk], [foreign.pk], ["x"]):
            with pytest.raises(ValidationError) as error:
                split_case(case, message_ids=ids, by=by)
            errors.append(list(error.value.message_dict))
        _say(case, "second")
        with pytest.raises(ValidationError) as subject:
            split_case(case, message_ids=[only.pk], by=by, subject="bad\x00subject")

        assert errors == [["messages"]] * 4
        assert list(subject.value.message_dict) == ["subject"]
        assert Case.objects.count() == cases_before
        only.refresh_from_db()
        assert only.case_id == case.pk
