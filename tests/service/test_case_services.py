"""The case service: numbering, status stamps, messages reopening cases, events, timelines, bad input."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context

from customization.events.models import DomainEvent
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.service.choices import MessageAuthor, MessageKind, StatusCategory
from modules.service.hooks import CaseChange, register_case_hook
from modules.service.models import Case, CaseMessage, CaseStatus
from modules.service.services.cases import add_message, create_case, delete_case, update_case
from modules.service.services.statuses import status_for
from tenants.models import Tenant
from tests.factories import ContactFactory
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture

WRITERS = 4


def test_a_new_case_is_numbered_new_of_its_contacts_company_and_on_its_timeline(alpha: TenantFixture) -> None:
    first = make_case(alpha)
    second = make_case(alpha)
    with alpha.active():
        assert first.number.startswith("C-")
        assert len(first.number) == 7
        assert int(second.number[2:]) == int(first.number[2:]) + 1
        assert first.status.category == StatusCategory.NEW
        assert first.company_id == first.contact.company_id
        assert first.status_changed_at is not None
        entry = TimelineEntry.objects.get(kind=TimelineKind.CASE, contact=first.contact)
        assert entry.company_id == first.company_id
        assert entry.data["number"] == first.number
        assert DomainEvent.objects.filter(type="case.created", record_id=first.pk).count() == 1


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """Real commits: concurrent transactions cannot be shown inside one rolled-back test transaction."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def test_numbers_stay_unique_and_consecutive_when_cases_are_created_at_once(committed: None) -> None:
    tenant = Tenant.objects.get(slug="alpha")
    with tenant_context(tenant):
        contact = ContactFactory(last_name="Concurrent cases")
    barrier = threading.Barrier(WRITERS)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            with tenant_context(tenant):
                barrier.wait()
                numbers.append(create_case(by=None, contact=contact, subject="At once").number)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _index in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        sequence = sorted(int(number[2:]) for number in numbers)
        assert sequence == list(range(sequence[0], sequence[0] + WRITERS))
    finally:
        with tenant_context(tenant):
            TimelineEntry.objects.filter(contact=contact).delete()
            DomainEvent.objects.filter(
                entity="case", record_id__in=Case.objects.filter(contact=contact).values("pk")
            ).delete()
            Case.objects.filter(contact=contact).delete()
            contact.delete()


def test_solving_stamps_the_time_and_says_so_once(alpha: TenantFixture) -> None:
    case = make_case(alpha)
    with alpha.active():
        by = alpha.user()
        update_case(case, by=by, status=status_for(StatusCategory.SOLVED))
        case.refresh_from_db()
        assert case.solved_at is not None
        assert DomainEvent.objects.filter(type="case.solved", record_id=case.pk).count() == 1
        assert DomainEvent.objects.get(type="case.status_changed", record_id=case.pk).data["to_category"] == "solved"
        update_case(case, by=by, status=status_for(StatusCategory.OPEN))
        case.refresh_from_db()
        assert case.solved_at is None


def test_the_first_agent_reply_is_the_first_response_and_notes_are_not(alpha: TenantFixture) -> None:
    case = make_case(alpha)
    with alpha.active():
        by = alpha.user()
        add_message(case, by=by, author_kind=MessageAuthor.AGENT, kind=MessageKind.NOTE, body_text="Checking")
        case.refresh_from_db()
        assert case.first_response_at is None
        reply = add_message(case, by=by, author_kind=MessageAuthor.AGENT, body_html="<p>Hello<script>x</script></p>")
        case.refresh_from_db()
        assert case.first_response_at == reply.created_at
        assert "<script>" not in reply.body_html
        assert reply.body_text.strip() == "Hello"
        later = add_message(case, by=by, author_kind=MessageAuthor.AGENT, body_text="Again")
        case.refresh_from_db()
        assert case.first_response_at == reply.created_at
        assert case.last_agent_message_at == later.created_at


@pytest.mark.parametrize("category", [StatusCategory.PENDING, StatusCategory.SOLVED])
def test_a_customer_reply_opens_a_waiting_or_solved_case_again(alpha: TenantFixture, category: str) -> None:
    case = make_case(alpha)
    with alpha.active():
        update_case(case, by=alpha.user(), status=status_for(category))
        add_message(case, by=None, author_kind=MessageAuthor.CUSTOMER, contact=case.contact, body_text="Still broken")
        case.refresh_from_db()
        assert case.status.category == StatusCategory.OPEN
        assert case.solved_at is None
        assert DomainEvent.objects.filter(type="case.status_changed", record_id=case.pk).count() == 2


def test_a_customer_reply_leaves_a_closed_case_closed(alpha: TenantFixture) -> None:
    case = make_case(alpha)
    with alpha.active():
        update_case(case, by=alpha.user(), status=status_for(StatusCategory.CLOSED))
        add_message(case, by=None, author_kind=MessageAuthor.CUSTOMER, body_text="Thanks")
        case.refresh_from_db()
        assert case.status.category == StatusCategory.CLOSED
        assert case.closed_at is not None


def test_bad_input_names_the_field_and_writes_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        by = alpha.user()
        contact = ContactFactory()
        with pytest.raises(ValidationError) as error:
            create_case(by=by, contact=contact, subject="Bad\x00subject")
        assert "subject" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            create_case(by=by, contact=contact, subject="x" * 301)
        assert "subject" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            create_case(by=by, contact=contact, subject="Fine", number="C-1")
        assert "number" in error.value.message_dict
        assert not Case.objects.exists()
        case = create_case(by=by, contact=contact, subject="Fine")
        with pytest.raises(ValidationError) as error:
            add_message(case, by=by, author_kind=MessageAuthor.AGENT, body_text="   ")
        assert "body" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            add_message(case, by=None, author_kind=MessageAuthor.CUSTOMER, kind=MessageKind.NOTE, body_text="x")
        assert "kind" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            add_message(case, by=by, author_kind=MessageAuthor.AGENT, body_text="a\x00b")
        assert "body_text" in error.value.message_dict
        assert not CaseMessage.objects.exists()


def test_a_failing_hook_rolls_the_write_back(alpha: TenantFixture) -> None:
    def refuse(case: Case, change: CaseChange) -> None:
        if change.action == "message":
            raise RuntimeError("refused")

    register_case_hook("test-refuse", refuse)
    try:
        case = make_case(alpha)
        with alpha.active():
            with pytest.raises(RuntimeError):
                add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="Hi")
            case.refresh_from_db()
            assert not CaseMessage.objects.exists()
            assert case.first_response_at is None
            assert not DomainEvent.objects.filter(type="case.message_added").exists()
    finally:
        from modules.service import hooks

        hooks._HOOKS.pop("test-refuse", None)


def test_statuses_are_seeded_once_and_deleting_keeps_the_history(alpha: TenantFixture) -> None:
    case = make_case(alpha)
    with alpha.active():
        assert CaseStatus.objects.filter(category=StatusCategory.OPEN).count() == 1
        contact = case.contact
        delete_case(case, by=alpha.user())
        assert not Case.objects.exists()
        assert TimelineEntry.objects.filter(kind=TimelineKind.CASE, contact=contact).count() == 2
        assert DomainEvent.objects.filter(type="case.deleted").count() == 1
