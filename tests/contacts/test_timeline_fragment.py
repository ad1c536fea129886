"""The timeline fragment: newest first, keyset pages, entries rendered by kind, access checks."""

import re
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from identity.models import Role
from identity.services.accounts import create_user
from modules.activities.services.activities import FollowUp, complete_activity, create_activity
from modules.contacts.models import TimelineEntry
from modules.contacts.services.contacts import update_contact
from tests.factories import CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

ENTRY = re.compile(r'data-entry="(\d+)"')


def _many_entries(contact, count: int) -> list[int]:
    start = timezone.now() - timedelta(days=30)
    entries = TimelineEntry.objects.bulk_create(
        TimelineEntry(kind="updated", contact=contact, occurred_at=start + timedelta(minutes=index // 2),
                      data={"changes": [{"field": "city", "label": "city", "old": f"A{index}", "new": f"B{index}"}]})
        for index in range(count)
    )  # fmt: skip
    # Newest first; two entries share each minute, so the id breaks the tie.
    return [entry.pk for entry in sorted(entries, key=lambda e: (e.occurred_at, e.pk), reverse=True)]


def test_the_timeline_pages_newest_first_without_gaps_or_repeats(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(owner=alpha.user())
        expected = _many_entries(contact, 45)
    client = alpha.client()

    seen: list[int] = []
    url = f"/timeline/contact/{contact.pk}/"
    pages = 0
    while url:
        html = client.get(url).content.decode()
        seen += [int(pk) for pk in ENTRY.findall(html)]
        more = re.search(r'hx-get="(/timeline/contact/\d+/\?before=[^"]+)"', html)
        url = more.group(1) if more else ""
        pages += 1

    assert seen == expected
    assert pages == 3


def test_a_page_of_a_5000_entry_timeline_costs_fixed_queries(alpha: TenantFixture, django_assert_max_num_queries):
    with alpha.active():
        contact = ContactFactory(owner=alpha.user())
        _many_entries(contact, 5000)
        for index in range(5):
            activity = create_activity(by=alpha.user(), kind="call", subject=f"Call {index}", contact=contact)
            complete_activity(activity, by=alpha.user(), follow_up=FollowUp(kind="task", subject=f"Then {index}"))
    client = alpha.client()
    client.get(f"/timeline/contact/{contact.pk}/")

    with django_assert_max_num_queries(10):
        first = client.get(f"/timeline/contact/{contact.pk}/").content.decode()
    cursor = re.search(r"before=([^\"]+)", first).group(1)
    with django_assert_max_num_queries(10):
        deeper = client.get(f"/timeline/contact/{contact.pk}/?before={cursor}").content.decode()

    assert len(ENTRY.findall(first)) == len(ENTRY.findall(deeper)) == 20
    assert "Followed up by" in first


def test_entries_are_rendered_by_kind(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        contact = ContactFactory(first_name="Tim", owner=admin, city="Iasi")
        update_contact(contact, by=admin, city="Brasov")
        origin = create_activity(by=admin, kind="call", subject="Discovery call", contact=contact)
        complete_activity(origin, by=admin, follow_up=FollowUp(kind="task", subject="Send proposal"))
        merged = {"merged": "Tim Duplicate", "moved": {"activities.activity.contact": 2}}
        TimelineEntry.objects.create(kind="merged", contact=contact, actor=admin, data=merged)

    html = alpha.client().get(f"/timeline/contact/{contact.pk}/").content.decode()

    assert re.search(r"Iasi</span> → Brasov", html)
    assert "Activity completed" in html
    assert "Discovery call" in html
    assert "Followed up by" in html
    assert "Send proposal" in html
    assert "Follow-up of" in html
    assert "Tim Duplicate was merged into this record" in html
    assert "2 linked records moved" in html


def test_deal_stage_and_loss_entries_show_their_details(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
        TimelineEntry.objects.create(
            kind="stage_changed", deal=deal, data={"from_stage": "Qualify", "to_stage": "Propose"}
        )
        TimelineEntry.objects.create(
            kind="deal_lost", deal=deal, data={"to_stage": "Lost", "lost_reason": "Too pricey"}
        )

    html = alpha.client().get(f"/timeline/deal/{deal.pk}/").content.decode()

    assert "Stage changed: Qualify → Propose" in html
    assert "Deal lost" in html
    assert "Too pricey" in html


def test_times_are_shown_in_the_users_time_zone(alpha: TenantFixture):
    admin = alpha.user()
    admin.time_zone = "Asia/Tokyo"
    with alpha.active():
        admin.save(update_fields=["time_zone"])
        contact = ContactFactory(owner=admin)
        TimelineEntry.objects.create(
            kind="created", contact=contact, occurred_at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
        )

    html = alpha.client().get(f"/timeline/contact/{contact.pk}/").content.decode()

    assert 'datetime="2026-01-06T08:30:00+09:00"' in html


def test_a_rep_cannot_read_the_timeline_of_someone_elses_record(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(owner=alpha.user())

    assert alpha.client(email=REP_EMAIL).get(f"/timeline/contact/{contact.pk}/").status_code == 404


def test_lead_and_deal_timelines_need_sales(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(owner=alpha.user())
        deal = DealFactory(owner=alpha.user())
        create_user(
            email="marketer@example.test", password=PASSWORD, full_name="", role=Role.objects.get(key="marketer")
        )
    marketer = alpha.client(email="marketer@example.test")

    assert marketer.get(f"/timeline/lead/{lead.pk}/").status_code == 403
    alpha.tenant.enabled_modules = []
    alpha.tenant.save()
    refused = alpha.client().get(f"/timeline/deal/{deal.pk}/")
    assert refused.status_code == 403
    assert "Sales is not in your plan" in refused.content.decode()


def test_an_unknown_subject_is_not_found(alpha: TenantFixture):
    assert alpha.client().get("/timeline/invoice/1/").status_code == 404


def test_another_tenant_cannot_read_a_timeline(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        contact = ContactFactory(owner=alpha.user(), company=company)
        deal = DealFactory(owner=alpha.user(), company=company)
        lead = LeadFactory(owner=alpha.user())

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [("get", f"/timeline/{subject}/{pk}/", {}) for subject, pk in
         [("company", company.pk), ("contact", contact.pk), ("deal", deal.pk), ("lead", lead.pk)]],
    )  # fmt: skip
