"""Rebuilds agree with a Python oracle; membership follows changes through the real outbox
dispatcher (no sweep), emitting entered/left once per change; static lists take contacts by hand,
by file and from workflows; enter/leave triggers fire rules."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customization.events.dispatcher import dispatch_pending
from customization.events.models import DomainEvent
from customization.workflows.models import WorkflowRun
from modules.contacts.models import Contact
from modules.contacts.services.contacts import update_contact
from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment, SegmentMember
from modules.marketing.segments import services
from modules.marketing.segments.consumer import follow
from modules.marketing.segments.tasks import time_relative_segment_ids
from modules.sales.choices import OrderStatus
from tests.customization.workflows.engine.conftest import drive, make_rule
from tests.factories import CompanyFactory, ContactFactory, TagFactory
from tests.marketing.segments.conftest import People, make_order
from tests.tenancy import TenantFixture


def _members(segment: Segment) -> set[int]:
    return set(SegmentMember.objects.filter(segment=segment).values_list("contact_id", flat=True))


def _events(kind: str, segment: Segment) -> list[int]:
    return sorted(
        DomainEvent.objects.filter(type=f"segment.contact_{kind}", data={"id": segment.pk}).values_list(
            "record_id", flat=True
        )
    )


def _dynamic(rules: dict[str, Any], name: str = "Segment") -> Segment:
    segment = services.create_segment(by=None, name=name, kind=SegmentKind.DYNAMIC, rules=rules)
    services.rebuild(segment)
    return segment


# --- A Python oracle over small random data -----------------------------------------------------


def _oracle(contact: Contact, rules: dict[str, Any]) -> bool:
    results = []
    for condition in rules["conditions"]:
        if "conditions" in condition:
            results.append(_oracle(contact, condition))
            continue
        kind, op = condition["type"], condition["op"]
        if kind == "contact":
            value = getattr(contact, condition["field"])
            results.append(value.lower() == condition["value"].lower() if op == "eq" else value in condition["value"])
        elif kind == "company":
            employees = contact.company.employee_count if contact.company else None
            results.append(employees is not None and employees >= condition["value"])
        elif kind == "tag":
            tagged = {tag.pk for tag in contact.tags.all()} & set(condition["tags"])
            results.append(bool(tagged) if op == "any" else not tagged)
        elif kind == "order":
            spent = sum(
                (order.total for order in contact.orders.all() if order.status != OrderStatus.CANCELLED), Decimal(0)
            )
            results.append(spent >= Decimal(condition["amount"]))
    return all(results) if rules["match"] == "all" else any(results)


def test_rebuild_matches_the_oracle_on_random_data(alpha: TenantFixture) -> None:
    generator = random.Random(16)
    with alpha.active():
        companies = [CompanyFactory(employee_count=size) for size in (3, 40, 900)] + [None]
        tags = [TagFactory(name=f"t{index}") for index in range(3)]
        for _index in range(40):
            contact = ContactFactory(
                city=generator.choice(["Paris", "Oslo", "Rome", ""]),
                company=generator.choice(companies),
                source=generator.choice(["website", "event", ""]),
            )
            contact.tags.set(generator.sample(tags, generator.randint(0, 2)))
            for _order in range(generator.randint(0, 3)):
                make_order(
                    contact, total=str(generator.randint(1, 500)), days_ago=generator.randint(0, 90),
                    status=generator.choice([OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.CANCELLED]),
                )  # fmt: skip
        rule_sets = [
            {"match": "all", "conditions": [
                {"type": "contact", "field": "city", "op": "eq", "value": "paris"},
                {"type": "order", "op": "total_gte", "amount": "200", "currency": "EUR"},
            ]},
            {"match": "any", "conditions": [
                {"type": "tag", "op": "any", "tags": [tags[0].pk]},
                {"match": "all", "conditions": [
                    {"type": "company", "field": "employee_count", "op": "gte", "value": 40},
                    {"type": "contact", "field": "source", "op": "in", "value": ["website"]},
                ]},
            ]},
            {"match": "all", "conditions": [{"type": "tag", "op": "none", "tags": [tags[1].pk, tags[2].pk]}]},
        ]  # fmt: skip
        contacts = list(Contact.objects.select_related("company").prefetch_related("tags", "orders"))
        for index, rules in enumerate(rule_sets):
            segment = _dynamic(rules, name=f"Oracle {index}")
            expected = {contact.pk for contact in contacts if _oracle(contact, rules)}
            assert _members(segment) == expected
            assert segment.member_count == len(expected)
            assert segment.evaluated_at is not None
            assert _events("entered", segment) == sorted(expected)
            again = services.rebuild(segment)
            assert (again.entered, again.left) == (0, 0)


# --- Following changes ----------------------------------------------------------------------------


def test_membership_follows_a_contact_change_through_the_dispatcher(alpha: TenantFixture, people: People) -> None:
    with alpha.active():
        parisians = _dynamic({"match": "all", "conditions": [
            {"type": "contact", "field": "city", "op": "eq", "value": "Paris"}
        ]})  # fmt: skip
        big_spenders = _dynamic({"match": "all", "conditions": [
            {"type": "order", "op": "total_gte", "amount": "2000", "currency": "EUR"}
        ]}, name="Spenders")  # fmt: skip
        assert _members(parisians) == {people.ana.pk, people.dan.pk}
        DomainEvent.objects.all().delete()

        update_contact(people.eve, by=None, city="Paris")
        update_contact(people.ana, by=None, city="Nice")
        make_order(people.ana, total="1000", days_ago=1)
        from customization.events.outbox import emit

        order = people.ana.orders.order_by("-pk").first()
        emit("order.created", order, entity="order")
        dispatch_pending()

        assert _members(parisians) == {people.dan.pk, people.eve.pk}
        assert _events("entered", parisians) == [people.eve.pk]
        assert _events("left", parisians) == [people.ana.pk]
        assert _members(big_spenders) == {people.ana.pk, people.bob.pk}
        assert _events("entered", big_spenders) == [people.ana.pk]
        parisians.refresh_from_db()
        assert parisians.member_count == 2

        # Delivered again (a crash after the consumers ran): nothing changes twice.
        follow(list(DomainEvent.objects.exclude(type__startswith="segment.")))
        assert len(_events("entered", parisians)) == 1


def test_a_company_change_reaches_its_contacts(alpha: TenantFixture, people: People) -> None:
    from modules.contacts.services.companies import update_company

    with alpha.active():
        big = _dynamic({"match": "all", "conditions": [
            {"type": "company", "field": "employee_count", "op": "gte", "value": 100}
        ]})  # fmt: skip
        update_company(people.bob.company, by=None, employee_count=500)
        dispatch_pending()
        assert _members(big) == {people.ana.pk, people.bob.pk, people.dan.pk}


def test_a_contact_enters_when_a_lead_is_converted_into_it(alpha: TenantFixture, people: People) -> None:
    from modules.sales.services.leads import convert_lead
    from tests.factories import LeadFactory

    with alpha.active():
        from_events = _dynamic({"match": "all", "conditions": [
            {"type": "lead_field", "field": "source", "op": "eq", "value": "event"}
        ]})  # fmt: skip
        assert _members(from_events) == {people.dan.pk}
        lead = LeadFactory(source="event", email="bob.lead@example.test")
        DomainEvent.objects.all().delete()

        convert_lead(lead, by=None, contact=people.bob, create_company_record=False, create_deal_record=False)
        dispatch_pending()

        assert _members(from_events) == {people.bob.pk, people.dan.pk}
        assert _events("entered", from_events) == [people.bob.pk]


def test_a_deleted_related_record_reevaluates_the_contact_it_concerned_without_a_rebuild(
    alpha: TenantFixture, people: People, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from modules.marketing.segments import consumer
    from modules.sales.services.deals import delete_deal

    rebuilt: list[int] = []
    monkeypatch.setattr(consumer, "_rebuild_after_commit", rebuilt.append)
    with alpha.active():
        open_deals = _dynamic({"match": "all", "conditions": [{"type": "deal", "op": "open"}]})
        unrelated = _dynamic(
            {"match": "all", "conditions": [{"type": "contact", "field": "city", "op": "is_empty"}]}, name="No city"
        )
        deal = people.ana.deals.get()
        deal_id = deal.pk
        delete_deal(deal, by=None)
        assert DomainEvent.objects.get(type="deal.deleted", record_id=deal_id).data["contact_id"] == people.ana.pk
        dispatch_pending()

        assert _members(open_deals) == set()
        assert _events("left", open_deals) == [people.ana.pk]
        assert _members(unrelated) == {people.cleo.pk}
        assert rebuilt == []


def test_bulk_deletion_names_each_records_contact(alpha: TenantFixture, people: People) -> None:
    from modules.contacts.services.bulk import delete_records
    from modules.sales.models import Deal

    with alpha.active():
        deals = {deal.pk: deal.contact_id for deal in Deal.objects.all()}
        delete_records(Deal, list(deals), by=None, name_field="name")

        named = dict(DomainEvent.objects.filter(type="deal.deleted").values_list("record_id", "data__contact_id"))
        assert named == deals


def test_a_deletion_event_without_its_contact_rebuilds_the_segments_using_that_kind(
    alpha: TenantFixture, people: People, django_capture_on_commit_callbacks: Any, eager_tasks: None
) -> None:
    # An event written before deletions named their contact (still in the outbox after an upgrade).
    from customization.events.outbox import emit

    with alpha.active():
        open_deals = _dynamic({"match": "all", "conditions": [{"type": "deal", "op": "open"}]})
        deal = people.ana.deals.get()
        with django_capture_on_commit_callbacks(execute=True):
            emit("deal.deleted", deal, entity="deal", data={"name": deal.name})
            deal.delete()
            dispatch_pending()
        assert _members(open_deals) == set()
        assert _events("left", open_deals) == [people.ana.pk]


def test_a_deleted_contact_leaves_its_segments_and_the_counts(alpha: TenantFixture, people: People) -> None:
    from modules.contacts.services.contacts import delete_contact

    with alpha.active():
        parisians = _dynamic({"match": "all", "conditions": [
            {"type": "contact", "field": "city", "op": "eq", "value": "Paris"}
        ]})  # fmt: skip
        delete_contact(people.dan, by=None)
        dispatch_pending()
        parisians.refresh_from_db()
        assert (parisians.member_count, _members(parisians)) == (1, {people.ana.pk})


def test_only_time_relative_segments_are_reevaluated_daily(alpha: TenantFixture, people: People) -> None:
    with alpha.active():
        recent = _dynamic({"match": "all", "conditions": [{"type": "order", "op": "within", "days": 30}]})
        _dynamic({"match": "all", "conditions": [{"type": "deal", "op": "open"}]}, name="Open deals")
        assert time_relative_segment_ids() == [recent.pk]
        # Ana's orders age: the daily rebuild lets her go.
        people.ana.orders.update(ordered_on=timezone.localdate() - timedelta(days=45))
        services.rebuild(recent)
        assert _members(recent) == set()


# --- Static lists ---------------------------------------------------------------------------------


def test_static_lists_take_contacts_by_hand_and_by_file(alpha: TenantFixture, people: People) -> None:
    with alpha.active():
        vips = services.create_segment(by=None, name="VIP list", kind=SegmentKind.STATIC)
        assert services.add_to_list(vips, [people.ana, people.bob.pk], by=None) == 2
        assert services.add_to_list(vips, Contact.objects.filter(pk=people.ana.pk), by=None) == 0
        assert services.remove_from_list(vips, [people.bob], by=None) == 1
        report = services.import_list_csv(
            vips, b"name,E-mail\nAna,ANA@example.com\nEve,eve@example.net\nX,nobody@example.com\n", by=None
        )
        assert (report.added, report.already, report.unknown) == (1, 1, ["nobody@example.com"])
        vips.refresh_from_db()
        assert _members(vips) == {people.ana.pk, people.eve.pk}
        assert vips.member_count == 2
        assert _events("entered", vips) == sorted([people.ana.pk, people.bob.pk, people.eve.pk])
        assert _events("left", vips) == [people.bob.pk]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"name\nno address here\n", "no e-mail"),
        (b"a@b.c\x00\n", "not a CSV"),
        (b"x" * (5 * 1024 * 1024 + 1), "5 MB"),
    ],
)
def test_a_bad_file_is_refused_naming_it(alpha: TenantFixture, data: bytes, message: str) -> None:
    with alpha.active():
        vips = services.create_segment(by=None, name="VIP list", kind=SegmentKind.STATIC)
        with pytest.raises(ValidationError) as wrong:
            services.import_list_csv(vips, data, by=None)
        assert message in " ".join(wrong.value.message_dict["file"])
        assert not SegmentMember.objects.exists()


def test_services_name_the_wrong_field(alpha: TenantFixture) -> None:
    with alpha.active():
        with pytest.raises(ValidationError) as wrong:
            services.create_segment(by=None, name="", kind="sometimes")
        assert {"name", "kind"} <= set(wrong.value.message_dict)
        with pytest.raises(ValidationError) as wrong_rules:
            services.create_segment(by=None, name="X", rules={"match": "all", "conditions": [{"type": "nope"}]})
        assert set(wrong_rules.value.message_dict) == {"rules.conditions[0].type"}
        dynamic = services.create_segment(by=None, name="Dynamic")
        with pytest.raises(ValidationError) as static_only:
            services.add_to_list(dynamic, [], by=None)
        assert "segment" in static_only.value.message_dict
        with pytest.raises(ValidationError) as kind:
            services.update_segment(dynamic, by=None, kind=SegmentKind.STATIC)
        assert "kind" in kind.value.message_dict
        assert Segment.objects.count() == 1


# --- Workflows --------------------------------------------------------------------------------------


def test_entering_a_segment_fires_rules_that_add_to_a_static_list(alpha: TenantFixture, people: People) -> None:
    with alpha.active():
        parisians = _dynamic({"match": "all", "conditions": [
            {"type": "contact", "field": "city", "op": "eq", "value": "Paris"}
        ]})  # fmt: skip
        follow_up = services.create_segment(by=None, name="Follow up", kind=SegmentKind.STATIC)
        DomainEvent.objects.all().delete()
        entered = make_rule(
            entity="contact", trigger="segment_entered", trigger_config={"id": parisians.pk},
            actions=[{"type": "segment_list_add", "id": follow_up.pk}],
        )  # fmt: skip
        left = make_rule(
            entity="contact", trigger="segment_left", trigger_config={"id": parisians.pk},
            actions=[{"type": "segment_list_remove", "id": follow_up.pk}],
        )  # fmt: skip

        update_contact(people.eve, by=None, city="Paris")
        dispatch_pending()  # the contact's change: Eve enters, which writes the segment's event
        drive()  # the segment's event: the rule runs
        assert _members(follow_up) == {people.eve.pk}
        assert WorkflowRun.objects.get(rule=entered).record_id == people.eve.pk

        update_contact(people.eve, by=None, city="Oslo")
        dispatch_pending()
        drive()
        assert _members(follow_up) == set()
        assert WorkflowRun.objects.get(rule=left).status == "succeeded"
