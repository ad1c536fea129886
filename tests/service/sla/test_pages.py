"""The SLA pages: calendars and policies under the settings (service.admin), the compliance page
(service.view_reports) and the clock on the case page's panel registry. Permission, plan, tenant
isolation, bad input and query counts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import RequestFactory

from modules.service.choices import MessageAuthor
from modules.service.panels import panels_for
from modules.service.services.cases import add_message
from modules.service.sla.models import BusinessCalendar, CalendarHoliday, SlaPolicy
from modules.service.sla.services.calendars import add_holiday
from tenants.models import Tenant
from tests.service.conftest import make_case
from tests.service.sla.helpers import office_calendar, standard_policy
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR_POST = {
    "name": "Bucharest", "time_zone": "Europe/Bucharest", "country": "RO", "subdivision": "",
    "day_0": "09:00-13:00, 14:00-18:00", "day_1": "09:00-18:00", "day_2": "", "day_3": "", "day_4": "",
    "day_5": "", "day_6": "",
}  # fmt: skip
POLICY_POST = {
    "name": "Gold", "position": "1", "is_active": "on", "priorities": ["urgent", "high"], "tier_source": "company",
    "tier_field": "tier", "tier_values": "gold, platinum", "warning_percent": "75",
    "targets.urgent.first_response": "15", "targets.urgent.resolution": "240", "targets.high.first_response": "60",
}  # fmt: skip


@pytest.fixture
def setup(alpha: TenantFixture) -> tuple[BusinessCalendar, SlaPolicy, CalendarHoliday]:
    with alpha.active():
        calendar = office_calendar(country="DE", subdivision="BY")
        holiday = add_holiday(calendar, day=datetime(2025, 12, 31, tzinfo=BERLIN).date(), name="Year end")
        return calendar, standard_policy(), holiday


def urls(calendar: BusinessCalendar, policy: SlaPolicy, holiday: CalendarHoliday) -> list[tuple[str, str]]:
    c, p, h = calendar.pk, policy.pk, holiday.pk
    return [
        ("get", "/settings/service/sla/calendars/"), ("post", "/settings/service/sla/calendars/"),
        ("get", f"/settings/service/sla/calendars/{c}/"), ("post", f"/settings/service/sla/calendars/{c}/"),
        ("post", f"/settings/service/sla/calendars/{c}/holidays/"),
        ("post", f"/settings/service/sla/calendars/{c}/holidays/{h}/delete/"),
        ("post", f"/settings/service/sla/calendars/{c}/delete/"),
        ("get", "/settings/service/sla/policies/"), ("get", "/settings/service/sla/policies/new/"),
        ("post", "/settings/service/sla/policies/new/"), ("get", f"/settings/service/sla/policies/{p}/"),
        ("post", f"/settings/service/sla/policies/{p}/"), ("post", f"/settings/service/sla/policies/{p}/delete/"),
    ]  # fmt: skip


def test_creating_a_calendar_shows_its_holidays_of_the_year(alpha: TenantFixture) -> None:
    client = alpha.client()
    response = client.post("/settings/service/sla/calendars/", CALENDAR_POST)
    assert response.status_code == 302
    with alpha.active():
        calendar = BusinessCalendar.objects.get(name="Bucharest")
        assert sorted((i.weekday, i.start_minute, i.end_minute) for i in calendar.intervals.all()) == [
            (0, 540, 780), (0, 840, 1080), (1, 540, 1080),
        ]  # fmt: skip
    page = client.get(f"/settings/service/sla/calendars/{calendar.pk}/?year=2025")
    assert page.status_code == 200
    days = [day.isoformat() for day, _name, _by_hand in page.context["holidays"]]
    assert "2025-12-01" in days  # Romania's national day
    assert 'data-testid="holiday"' in page.content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "Bad\x00name"}, "name"),
        ({"day_0": "09:00-12:00, 11:00-13:00"}, None),  # overlapping: a form-wide error naming the day
        ({"day_2": "18:00-09:00"}, "day_2"),
        ({"day_3": "9 to 5"}, "day_3"),
        ({"day_4": "09:00-25:00"}, "day_4"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"country": "XX"}, "country"),
        ({"day_0": "", "day_1": ""}, None),  # no working time at all
    ],
)
def test_bad_calendar_input_is_shown_on_its_field_and_nothing_is_saved(
    alpha: TenantFixture, change: dict[str, str], field: str | None
) -> None:
    response = alpha.client().post("/settings/service/sla/calendars/", {**CALENDAR_POST, **change})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[field or "__all__"]
    with alpha.active():
        assert not BusinessCalendar.objects.exists()


def test_bad_holiday_input_names_the_field(alpha: TenantFixture, setup) -> None:
    calendar, _policy, _holiday = setup
    client = alpha.client()
    for data, field in (
        ({"date": "99999-01-01", "name": "x"}, "date"),
        ({"date": "2025-05-02", "name": "a\x00"}, "name"),
    ):
        response = client.post(f"/settings/service/sla/calendars/{calendar.pk}/holidays/", data)
        assert response.status_code == 400
        assert response.context["holiday_form"].errors[field]
    with alpha.active():
        assert CalendarHoliday.objects.count() == 1


def test_creating_and_editing_a_policy(alpha: TenantFixture) -> None:
    client = alpha.client()
    assert client.post("/settings/service/sla/policies/new/", POLICY_POST).status_code == 302
    with alpha.active():
        policy = SlaPolicy.objects.get(name="Gold")
        assert policy.tier_values == ["gold", "platinum"]
        assert sorted(policy.priorities) == ["high", "urgent"]
        targets = {t.priority: (t.first_response_minutes, t.resolution_minutes) for t in policy.targets.all()}
        assert targets == {"urgent": (15, 240), "high": (60, None)}
    page = client.get(f"/settings/service/sla/policies/{policy.pk}/")
    assert page.context["form"].initial["targets.urgent.resolution"] == 240
    response = client.post(f"/settings/service/sla/policies/{policy.pk}/", {**POLICY_POST, "warning_percent": "90"})
    assert response.status_code == 302
    with alpha.active():
        policy.refresh_from_db()
        assert policy.warning_percent == 90


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"targets.urgent.first_response": str(10**12)}, "targets.urgent.first_response"),
        ({"warning_percent": "100"}, "warning_percent"),
        ({"name": "N\x00"}, "name"),
        ({"tier_values": "gold\x00"}, "tier_values"),
        ({"tier_values": ""}, "tier_values"),
        ({"priorities": ["never"]}, "priorities"),
    ],
)
def test_bad_policy_input_is_shown_on_its_field(alpha: TenantFixture, change: dict[str, object], field: str) -> None:
    response = alpha.client().post("/settings/service/sla/policies/new/", {**POLICY_POST, **change})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    with alpha.active():
        assert not SlaPolicy.objects.exists()


def test_a_rep_gets_403_everywhere_and_changes_nothing(alpha: TenantFixture, setup) -> None:
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)
    for method, path in [*urls(*setup), ("get", "/service/sla/compliance/")]:
        response = getattr(client, method)(path, CALENDAR_POST)
        assert response.status_code == 403, f"{method} {path}"
    assert schema_snapshot(alpha.tenant) == before


def test_a_tenant_without_the_service_module_gets_the_not_in_plan_answer(alpha: TenantFixture, setup) -> None:
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=["sales"])
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)
    for method, path in [*urls(*setup), ("get", "/service/sla/compliance/")]:
        response = getattr(client, method)(path, CALENDAR_POST)
        assert response.status_code == 403, f"{method} {path}"
        assert b'data-testid="not-in-plan"' in response.content
    assert schema_snapshot(alpha.tenant) == before


def test_another_tenant_cannot_reach_the_calendars_and_policies(
    alpha: TenantFixture, beta: TenantFixture, setup
) -> None:
    requests = [
        (method, path, CALENDAR_POST) for method, path in urls(*setup) if "/new/" not in path and path.count("/") > 5
    ]
    assert_cross_tenant_requests_fail(alpha, beta, requests)


@pytest.mark.parametrize("count", [2, 12])
def test_the_settings_lists_cost_a_fixed_number_of_queries(
    alpha: TenantFixture, count: int, django_assert_max_num_queries
) -> None:
    with alpha.active():
        for index in range(count):
            office_calendar(name=f"Calendar {index}", is_default=index == 0)
            standard_policy(name=f"Policy {index}", position=index)
    client = alpha.client()
    client.get("/settings/service/sla/calendars/")
    with django_assert_max_num_queries(10):
        assert len(client.get("/settings/service/sla/calendars/").context["calendars"]) == count
    with django_assert_max_num_queries(10):
        assert len(client.get("/settings/service/sla/policies/").context["policies"]) == count


@pytest.mark.parametrize("count", [2, 10])
def test_compliance_by_policy_queue_and_agent_in_fixed_queries(
    alpha: TenantFixture, count: int, django_assert_max_num_queries
) -> None:
    with alpha.active():
        office_calendar()
        standard_policy(first_response=30)
        agent = alpha.user()
    # Opened Monday 9:00; half answered in time, half late.
    for index in range(count):
        with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=BERLIN), tick=False):
            case = make_case(alpha, owner=agent)
        minutes = 10 if index % 2 == 0 else 50
        with time_machine.travel(datetime(2025, 6, 2, 9, minutes, tzinfo=BERLIN), tick=False), alpha.active():
            add_message(case, by=agent, author_kind=MessageAuthor.AGENT, body_text="Hello")
    client = alpha.client()
    with django_assert_max_num_queries(12):
        response = client.get("/service/sla/compliance/", {"start": "2025-06-01", "end": "2025-06-30"})
    assert response.status_code == 200
    tables = {group: rows for group, _title, rows in response.context["tables"]}
    (by_policy,) = tables["policy"]
    assert (by_policy.label, by_policy.first_response_met, by_policy.first_response_breached) == (
        "Standard", (count + 1) // 2, count // 2,
    )  # fmt: skip
    assert by_policy.first_response_percent == round(100 * ((count + 1) // 2) / count, 1)
    assert [row.key for row in tables["agent"]] == [agent.pk]


def test_a_bad_compliance_period_names_the_field(alpha: TenantFixture) -> None:
    client = alpha.client()
    response = client.get("/service/sla/compliance/", {"start": "2025-06-30", "end": "2025-06-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["end"]
    response = client.get("/service/sla/compliance/", {"start": "0001-01-01\x00"})
    assert response.status_code == 400
    assert response.context["form"].errors["start"]


def test_the_case_panel_shows_the_clock_to_staff_with_service_view(alpha: TenantFixture, setup) -> None:
    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=BERLIN), tick=False):
        case = make_case(alpha)
    request = RequestFactory().get("/")
    with alpha.active():
        request.user = alpha.user()
        with time_machine.travel(datetime(2025, 6, 2, 9, 30, tzinfo=BERLIN), tick=False):
            shown = dict((panel.key, context) for panel, context in panels_for(request, case, "sidebar"))
        rows = {row["target"]: row for row in shown["sla"]["rows"]}
        assert rows["first_response"]["state"] == "running"
        assert rows["first_response"]["remaining_minutes"] == 30
        assert rows["resolution"]["remaining_minutes"] == 8 * 60 - 30
        request.user = alpha.user(REP_EMAIL)
        assert "sla" not in {panel.key for panel, _context in panels_for(request, case, "sidebar")}


def test_the_case_list_filters_and_presets_breaching_soon(alpha: TenantFixture, django_assert_max_num_queries) -> None:
    with alpha.active():
        office_calendar(intervals=[(day, 0, 1440) for day in range(7)])  # around the clock: any day will do
        standard_policy(first_response=30, resolution=24 * 60)
    due_soon = make_case(alpha, subject="Due soon")
    answered = make_case(alpha, subject="Answered")
    with alpha.active():
        add_message(answered, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="On it")
    client = alpha.client()
    response = client.get("/cases/?breaching=1h")
    assert [case.number for case in response.context["rows"]] == [due_soon.number]
    assert {case.number for case in client.get("/cases/?breaching=1d").context["rows"]} == {
        due_soon.number, answered.number,
    }  # fmt: skip
    page = client.get("/cases/?breaching=4h").content.decode()
    assert 'aria-current="page" data-preset="breaching"' in page
    for _extra in range(5):
        make_case(alpha)
    with django_assert_max_num_queries(40):
        assert len(client.get("/cases/?breaching=1h").context["rows"]) == 6


def test_the_case_page_shows_the_sla_panel(alpha: TenantFixture, setup) -> None:
    case = make_case(alpha)
    page = alpha.client().get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="sla-panel"' in html
    assert 'data-testid="sla-first_response"' in html
