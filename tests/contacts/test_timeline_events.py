"""Timelines say what happened once per event, in words: one entry per activity, the record an entry
is about, labels instead of stored values, a filter by kind, and the same queries for any page."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.fields.services import create_definition
from modules.activities.services.activities import cancel_activity, complete_activity, create_activity
from modules.contacts.models import TimelineEntry
from modules.contacts.services.contacts import update_contact
from modules.sales.models import Stage
from modules.sales.services.deals import move_deal_to_stage, update_deal
from modules.sales.services.leads import update_lead
from modules.sales.services.pipelines import default_pipeline
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.tenancy import REP_EMAIL, TenantFixture

ENTRY = re.compile(r'data-entry="(\d+)"')


@pytest.fixture
def stages(alpha: TenantFixture) -> dict[str, Stage]:
    with alpha.active():
        pipeline = default_pipeline()
        assert pipeline is not None
        return {stage.name: stage for stage in pipeline.stages.all()}


def test_completing_an_activity_updates_its_one_entry_and_keeps_each_step(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        contact = ContactFactory(owner=admin)
        call = create_activity(by=admin, kind="call", subject="Discovery call", contact=contact)
        complete_activity(call, by=admin)
        entries = list(TimelineEntry.objects.filter(activity=call))

    assert len(entries) == 1
    assert entries[0].data["event"] == "completed"
    assert [step["event"] for step in entries[0].data["history"]] == ["created", "completed"]
    html = alpha.client().get(f"/timeline/contact/{contact.pk}/").content.decode()
    assert len(ENTRY.findall(html)) == 1
    assert "Activity completed" in html
    assert "Activity planned" not in html
    steps = re.search(r'data-testid="activity-steps">(.*?)</div>', html, re.S).group(1)
    assert "Planned" in steps
    assert "Completed" in steps


def test_a_cancelled_activity_is_one_entry_too(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        task = create_activity(by=admin, kind="task", subject="Send deck", company=CompanyFactory(owner=admin))
        cancel_activity(task, by=admin)
        events = list(TimelineEntry.objects.filter(activity=task).values_list("data__event", flat=True))

    assert events == ["cancelled"]


def test_older_pairs_of_activity_entries_are_folded_into_one(alpha: TenantFixture):
    migration = importlib.import_module("modules.contacts.migrations.0007_one_timeline_entry_per_activity")
    admin = alpha.user()
    with alpha.active():
        contact = ContactFactory(owner=admin)
        activity = ActivityFactory(contact=contact, assignee=admin)
        single = ActivityFactory(contact=contact, assignee=admin)
        TimelineEntry.objects.create(kind="activity", activity=activity, contact=contact, data={"event": "created"})
        last = TimelineEntry.objects.create(
            kind="activity", activity=activity, contact=contact, actor=admin, data={"event": "completed"}
        )
        TimelineEntry.objects.create(kind="activity", activity=single, contact=contact, data={"event": "created"})

        migration.fold_activity_entries(apps, None)

        remaining = {entry.activity_id: entry for entry in TimelineEntry.objects.filter(contact=contact)}
    assert set(remaining) == {activity.pk, single.pk}
    assert remaining[activity.pk].pk == last.pk
    assert [(step["event"], step["actor"]) for step in remaining[activity.pk].data["history"]] == [
        ("created", None),
        ("completed", admin.pk),
    ]
    assert "history" not in remaining[single.pk].data


def test_a_company_timeline_names_the_deal_that_moved_with_a_link(alpha: TenantFixture, stages):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory(owner=admin)
        deal = DealFactory(name="Fleet renewal", owner=admin, company=company, stage=stages["Qualification"])
        move_deal_to_stage(deal, stages["Proposal"], by=admin)

    html = alpha.client().get(f"/timeline/company/{company.pk}/").content.decode()

    about = re.search(r'data-testid="timeline-about">(.*?)</span>', html, re.S).group(1)
    assert "Deal" in about
    assert f'href="/deals/{deal.pk}/"' in about
    assert "Fleet renewal" in about
    assert "Stage changed: Qualification → Proposal" in html


def test_a_deal_the_user_may_not_open_is_named_by_kind_only(alpha: TenantFixture, stages):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)
        deal = DealFactory(name="Secret expansion", owner=alpha.user(), company=company, stage=stages["Qualification"])
        move_deal_to_stage(deal, stages["Proposal"], by=alpha.user())

    html = alpha.client(email=REP_EMAIL).get(f"/timeline/company/{company.pk}/").content.decode()

    assert 'data-testid="timeline-about">Deal</span>' in html
    assert "Secret expansion" not in html
    assert f"/deals/{deal.pk}/" not in html


def test_changes_read_as_labels_not_stored_values(alpha: TenantFixture, stages):
    admin = alpha.user()
    with alpha.active():
        create_definition(
            by=None, entity="deal", key="tier", label="Support tier", field_type="single_select",
            options=[{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}],
        )  # fmt: skip
        create_definition(by=None, entity="deal", key="champion", label="Champion", field_type="user")
        lead = LeadFactory(owner=admin, status="contacted")
        update_lead(lead, by=admin, status="qualified")
        contact = ContactFactory(owner=admin, lifecycle_stage="lead")
        update_contact(contact, by=admin, lifecycle_stage="customer")
        deal = DealFactory(owner=admin, stage=stages["Qualification"])
        update_deal(deal, by=admin, custom={"tier": "gold", "champion": admin.pk})

    lead_html = alpha.client().get(f"/timeline/lead/{lead.pk}/").content.decode()
    contact_html = alpha.client().get(f"/timeline/contact/{contact.pk}/").content.decode()
    deal_html = alpha.client().get(f"/timeline/deal/{deal.pk}/").content.decode()

    assert "Status changed: Contacted → Qualified" in lead_html
    assert "Lifecycle stage" in contact_html
    assert "Lead</span> → Customer" in contact_html
    assert "Support tier" in deal_html
    assert "—</span> → Gold" in deal_html
    assert f"—</span> → {admin}" in deal_html
    assert "gold" not in re.sub(r"<[^>]+>", "", deal_html).replace("Gold", "")


def test_a_status_change_is_one_entry(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        lead = LeadFactory(owner=admin, status="new")
        update_lead(lead, by=admin, status="contacted")
        update_lead(lead, by=admin, status="qualified", company_name="Renamed SRL")
        kinds = list(
            TimelineEntry.objects.filter(lead=lead).order_by("occurred_at", "id").values_list("kind", flat=True)
        )

    assert kinds == ["status_changed", "updated"]


def test_a_move_that_fills_fields_is_one_entry_listing_them(alpha: TenantFixture, stages):
    admin = alpha.user()
    with alpha.active():
        deal = DealFactory(
            owner=admin, company=CompanyFactory(owner=admin), stage=stages["Qualification"], description=""
        )
        move_deal_to_stage(deal, stages["Proposal"], by=admin, description="Signed scope")
        entries = list(TimelineEntry.objects.filter(deal=deal).exclude(kind="created"))

    assert [entry.kind for entry in entries] == ["stage_changed"]
    assert entries[0].data["changes"][0]["field"] == "description"


def test_the_timeline_filters_by_kind_and_pages_within_the_filter(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        contact = ContactFactory(owner=admin, city="A")
        for index in range(25):
            create_activity(by=admin, kind="note", subject=f"Note {index}", contact=contact)
        update_contact(contact, by=admin, city="B")
    client = alpha.client()

    first = client.get(f"/timeline/contact/{contact.pk}/?kind=activities").content.decode()
    more = re.search(r'hx-get="([^"]+before=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(more).content.decode()
    changes = client.get(f"/timeline/contact/{contact.pk}/?kind=changes").content.decode()

    assert "kind=activities" in more
    assert len(ENTRY.findall(first)) + len(ENTRY.findall(second)) == 25
    assert 'data-kind="updated"' not in first + second
    assert 'data-kind="activity"' not in changes
    assert 'data-kind="updated"' in changes
    assert client.get(f"/timeline/contact/{contact.pk}/?kind=bogus").status_code == 400


def _eventful_deal(admin, stages, count: int):
    company = CompanyFactory(owner=admin)
    deal = DealFactory(owner=admin, company=company, stage=stages["Qualification"], amount=1)
    for index in range(count):
        call = create_activity(by=admin, kind="call", subject=f"Call {index}", deal=deal)
        complete_activity(call, by=admin)
        update_deal(deal, by=admin, amount=index + 2, custom={"tier": "gold" if index % 2 else "silver"})
    return company


def test_a_timeline_page_costs_the_same_queries_for_few_or_many_entries(alpha: TenantFixture, stages):
    admin = alpha.user()
    with alpha.active():
        create_definition(
            by=None, entity="deal", key="tier", label="Tier", field_type="single_select",
            options=[{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}],
        )  # fmt: skip
        small = _eventful_deal(admin, stages, 2)
        large = _eventful_deal(admin, stages, 10)
    client = alpha.client()
    client.get(f"/timeline/company/{small.pk}/")

    with CaptureQueriesContext(connection) as few:
        small_html = client.get(f"/timeline/company/{small.pk}/").content.decode()
    with CaptureQueriesContext(connection) as many:
        large_html = client.get(f"/timeline/company/{large.pk}/").content.decode()

    assert len(ENTRY.findall(small_html)) == 4
    assert len(ENTRY.findall(large_html)) == 20
    assert len(many) == len(few)
