"""The marketing module's dashboard widget kinds besides attribution: e-mails sent, opened and
clicked, form submissions, the lead score distribution and segment sizes. Figures against
hand-built data, each link opening a list of exactly the records counted, the plan and the
permission, and queries that do not grow with the data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.analytics.dashboards.widgets import DashboardFilters, WidgetData, available_widgets, widget_named
from modules.contacts.models import Contact
from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import Recipient
from modules.marketing.models import MarketingEmail
from modules.marketing.scoring.models import Score
from modules.marketing.segments.services import add_to_list, create_segment
from modules.marketing.webforms.models import Submission
from modules.marketing.webforms.services.forms import create_form
from tests.analytics.dashboards.conftest import list_count
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory, LeadFactory
from tests.marketing.delivery.conftest import marketing_email
from tests.sales.catalog.conftest import MakeUser
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture

KINDS = (
    "marketing-messages-sent", "marketing-email-engagement", "marketing-opens-clicks-per-week",
    "marketing-form-submissions", "marketing-score-distribution", "marketing-segment-sizes",
)  # fmt: skip


def _compute(alpha: TenantFixture, key: str, filters: DashboardFilters, email: str | None = None) -> WidgetData:
    with alpha.active():
        user = alpha.user(email) if email else alpha.user()
        return widget_named(key).compute(user, filters)  # type: ignore[union-attr]


def _recipient(email: MarketingEmail, *, days_ago: int | None, **values: Any) -> Recipient:
    contact = ContactFactory()
    now = timezone.now()
    return Recipient.objects.create(
        email=email, contact=contact, address=f"c{contact.pk}@example.test", message_id=f"<{contact.pk}@test>",
        state=values.pop("state", RecipientState.SENT),
        sent_at=None if days_ago is None else now - timedelta(days=days_ago), **values,
    )  # fmt: skip


def _sends(alpha: TenantFixture) -> tuple[MarketingEmail, MarketingEmail]:
    """Spring: four handed over 3 days ago (two opened, one of them clicked; one bounced) and one
    still queued; Winter: two sent 40 days ago, one opened then."""
    now = timezone.now()
    with alpha.active():
        spring, winter = marketing_email(None, name="Spring"), marketing_email(None, name="Winter")
        _recipient(spring, days_ago=3, opened_at=now - timedelta(days=2))
        _recipient(spring, days_ago=3, opened_at=now - timedelta(days=2), first_click_at=now - timedelta(days=1))
        _recipient(spring, days_ago=3, state=RecipientState.DELIVERED)
        _recipient(spring, days_ago=3, state=RecipientState.BOUNCED)
        _recipient(spring, days_ago=None, state=RecipientState.QUEUED)
        _recipient(winter, days_ago=40, opened_at=now - timedelta(days=40))
        _recipient(winter, days_ago=40)
        return spring, winter


def _last(days: int) -> DashboardFilters:
    today = timezone.localdate()
    return DashboardFilters(start=today - timedelta(days=days - 1), end=today)


def test_messages_sent_and_engagement_count_what_was_handed_over_in_the_period(alpha: TenantFixture):
    spring, winter = _sends(alpha)

    sent = _compute(alpha, "marketing-messages-sent", _last(30))
    engagement = _compute(alpha, "marketing-email-engagement", _last(30))
    all_time = _compute(alpha, "marketing-email-engagement", DashboardFilters())

    assert (sent.value, sent.previous) == (4, 2)
    assert [row[:5] for row in engagement.rows] == [("Spring", 4, 50, 25, 1)]
    assert engagement.rows[0][5] == f"/marketing/delivery/emails/{spring.pk}/"
    assert [row[:5] for row in all_time.rows] == [("Spring", 4, 50, 25, 1), ("Winter", 2, 50, 0, 0)]
    assert all_time.rows[1][5] == f"/marketing/delivery/emails/{winter.pk}/"


def test_opens_and_clicks_are_counted_once_per_recipient_in_the_week_of_the_first(alpha: TenantFixture):
    _sends(alpha)

    data = _compute(alpha, "marketing-opens-clicks-per-week", _last(56))

    opened, clicked = data.series
    assert (opened.name, clicked.name) == ("Opened", "Clicked")
    assert sum(point.value for point in opened.points) == 3  # type: ignore[misc]
    assert sum(point.value for point in clicked.points) == 1  # type: ignore[misc]
    assert len(opened.points) in (8, 9)  # the Mondays of 56 days
    assert (
        sum(point.value for point in _compute(alpha, "marketing-opens-clicks-per-week", _last(7)).series[0].points) == 2
    )  # type: ignore[misc]


def test_form_submissions_leave_spam_out_and_link_to_the_submissions_counted(alpha: TenantFixture):
    with alpha.active():
        form = create_form(
            by=None, name="Webinar", key="webinar", creates="contact",
            fields=[{"field": "last_name", "required": True}, {"field": "email", "required": True}],
        )  # fmt: skip
        for status in ("accepted", "accepted", "duplicate", "spam"):
            Submission.objects.create(form=form, status=status, data={"email": "a@example.test"})
        old = Submission.objects.create(form=form, status="accepted", data={"email": "b@example.test"})
        Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))

    data = _compute(alpha, "marketing-form-submissions", _last(30))

    accepted, duplicates = data.series
    assert [(point.label, point.value) for point in accepted.points] == [("Webinar", 2)]
    assert [(point.label, point.value) for point in duplicates.points] == [("Webinar", 1)]
    for series, expected in ((accepted, 2), (duplicates, 1)):
        assert list_count(alpha, ADMIN_EMAIL, series.points[0].url) == expected


def test_the_score_distribution_counts_visible_scores_per_band_and_links_to_them(alpha: TenantFixture):
    now = timezone.now()
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        for total, owner in ((-5, admin), (10, admin), (20, rep), (60, admin), (150, admin)):
            Score.objects.create(contact=ContactFactory(owner=owner), total=total, fit=total, updated_at=now)
        Score.objects.create(lead=LeadFactory(owner=admin), total=30, fit=30, updated_at=now)

    everyone = _compute(alpha, "marketing-score-distribution", DashboardFilters())
    the_rep = _compute(alpha, "marketing-score-distribution", DashboardFilters(owner_ids=frozenset({rep.pk})))

    contacts, leads = everyone.series
    assert [point.value for point in contacts.points] == [1, 2, 0, 1, 0, 1]
    assert [point.value for point in leads.points] == [0, 0, 1, 0, 0, 0]
    assert [point.label for point in contacts.points] == ["Below 0", "0–24", "25–49", "50–74", "75–99", "100 and more"]
    assert [point.value for point in the_rep.series[0].points] == [0, 1, 0, 0, 0, 0]
    for point in (*contacts.points, *leads.points, the_rep.series[0].points[1]):
        assert list_count(alpha, ADMIN_EMAIL, point.url) == point.value, point.url
    team = _compute(alpha, "marketing-score-distribution", DashboardFilters(owner_ids=frozenset({rep.pk, admin.pk})))
    assert team.series[0].points[1].url is None  # the contact list takes one owner
    assert team.series[1].points[2].url is not None


def test_segment_sizes_show_the_largest_segments_of_the_owners(alpha: TenantFixture):
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        big = create_segment(by=admin, name="Big list", kind="static")
        small = create_segment(by=rep, name="Small list", kind="static")
        add_to_list(big, [ContactFactory() for _n in range(3)], by=admin)
        add_to_list(small, [ContactFactory()], by=rep)

    everyone = _compute(alpha, "marketing-segment-sizes", DashboardFilters())
    the_rep = _compute(alpha, "marketing-segment-sizes", DashboardFilters(owner_ids=frozenset({rep.pk})))

    assert [(p.label, p.value, p.url) for p in everyone.series[0].points] == [
        ("Big list", 3, f"/marketing/segments/{big.pk}/"), ("Small list", 1, f"/marketing/segments/{small.pk}/"),
    ]  # fmt: skip
    assert [p.label for p in the_rep.series[0].points] == ["Small list"]


def test_the_kinds_follow_the_plan_and_the_reports_permission(alpha: TenantFixture, make_user: MakeUser):
    make_user("read_only", "reader@example.test")
    with alpha.active():
        admin = {kind.key for kind in available_widgets(alpha.tenant, alpha.user())}
        reader = {kind.key for kind in available_widgets(alpha.tenant, alpha.user("reader@example.test"))}
    without_modules(alpha, "marketing")
    with alpha.active():
        without = {kind.key for kind in available_widgets(alpha.tenant, alpha.user())}
    assert set(KINDS) <= admin
    assert not set(KINDS) & reader
    assert not set(KINDS) & without


def _queries(alpha: TenantFixture, key: str) -> int:
    with alpha.active(), CaptureQueriesContext(connection) as queries:
        widget_named(key).compute(alpha.user(), _last(30))  # type: ignore[union-attr]
    return len(queries)


def test_each_kind_costs_the_same_queries_whatever_the_data(alpha: TenantFixture):
    before = {key: _queries(alpha, key) for key in KINDS}
    _sends(alpha)
    _sends(alpha)
    with alpha.active():
        for n in range(3):
            segment = create_segment(by=None, name=f"List {n}", kind="static")
            add_to_list(segment, list(Contact.objects.values_list("pk", flat=True)[:2]), by=None)
            Score.objects.create(contact=ContactFactory(), total=n * 40, fit=0, updated_at=timezone.now())
    assert {key: _queries(alpha, key) for key in KINDS} == before
