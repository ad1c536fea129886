"""SLA policies, business calendars and their days off through REST and GraphQL: written by
service admins through the SLA services (checked like the settings pages, audited), read by every
role with service.view; bad input, roles, key scopes, another tenant and query counts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from graphql_relay import to_global_id

from identity.models import AuditEntry, Team
from modules.service.sla.models import BusinessCalendar, CalendarHoliday, SlaPolicy
from modules.service.sla.services.calendars import add_holiday, save_calendar
from modules.service.sla.services.policies import save_policy
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    patch,
    post,
    queries_for,
)
from tests.api.service.helpers import service_agent, top_fields
from tests.marketing.consent.conftest import written
from tests.tenancy import TenantFixture, schema_snapshot

WEEK = [{"weekday": day, "start_minute": 540, "end_minute": 1020} for day in range(5)]
POLICY = {"name": "Gold", "priorities": ["high", "urgent"], "tier_field": "tier", "tier_values": ["gold"],
          "targets": [{"priority": "high", "first_response_minutes": 60, "resolution_minutes": 480},
                      {"priority": "urgent", "first_response_minutes": 15}]}  # fmt: skip


def test_policies_calendars_and_days_off_are_written_through_the_sla_services(alpha: TenantFixture) -> None:
    with alpha.active():
        team = Team.objects.create(name="Second line")
    client = api_client(alpha)
    day = (timezone.localdate() + timedelta(days=60)).isoformat()

    policy = post(client, "/api/v1/sla-policies/", POLICY)
    retarget = {"targets": [{"priority": "normal", "resolution_minutes": 960}], "warning_percent": 75}
    retargeted = patch(client, f"/api/v1/sla-policies/{policy.json()['id']}/", retarget)
    renamed = patch(client, f"/api/v1/sla-policies/{policy.json()['id']}/", {"name": "Gold tier"})
    calendar = post(client, "/api/v1/business-calendars/",
                    {"name": "Berlin", "time_zone": "Europe/Berlin", "country": "de", "subdivision": "BE",
                     "team": team.pk, "intervals": WEEK})  # fmt: skip
    holiday = post(client, "/api/v1/calendar-holidays/", {"calendar": calendar.json()["id"], "date": day,
                                                          "name": "Team day"})  # fmt: skip
    listed = client.get(f"/api/v1/calendar-holidays/?calendar={calendar.json()['id']}").json()["results"]

    assert policy.status_code == 201, policy.content
    assert policy.json()["targets"] == [
        {"priority": "high", "first_response_minutes": 60, "resolution_minutes": 480},
        {"priority": "urgent", "first_response_minutes": 15, "resolution_minutes": None},
    ]
    assert retargeted.status_code == 200, retargeted.content
    assert retargeted.json()["targets"] == [{"priority": "normal", "first_response_minutes": None,
                                             "resolution_minutes": 960}]  # fmt: skip
    assert renamed.json()["targets"] == retargeted.json()["targets"]  # targets not sent: kept
    assert (renamed.json()["name"], renamed.json()["warning_percent"]) == ("Gold tier", 75)
    assert calendar.status_code == 201, calendar.content
    assert (calendar.json()["country"], calendar.json()["team"]) == ("DE", {"id": team.pk, "name": "Second line"})
    assert len(calendar.json()["intervals"]) == 5
    assert holiday.status_code == 201, holiday.content
    assert [(row["date"], row["name"]) for row in listed] == [(day, "Team day")]
    assert client.delete(f"/api/v1/calendar-holidays/{holiday.json()['id']}/").status_code == 204
    assert client.delete(f"/api/v1/business-calendars/{calendar.json()['id']}/").status_code == 204
    assert client.delete(f"/api/v1/sla-policies/{policy.json()['id']}/").status_code == 204
    with alpha.active():
        assert not SlaPolicy.objects.exists()
        assert not BusinessCalendar.objects.exists()
        actions = list(AuditEntry.objects.filter(action__startswith="sla.").values_list("action", flat=True))
    assert sorted(actions) == sorted([
        "sla.policy_created", "sla.policy_changed", "sla.policy_changed", "sla.calendar_created",
        "sla.calendar_deleted", "sla.policy_deleted",
    ])  # fmt: skip


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        calendar = save_calendar(None, name="Kept", time_zone="UTC", intervals=[(0, 540, 1020)])
        kept = add_holiday(calendar, day=timezone.localdate() + timedelta(days=10), name="Kept day")
        save_policy(None, name="Taken", targets={"low": (None, 60)})
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)
    policies = [
        ({**POLICY, "name": "nul\x00"}, "name"),
        ({**POLICY, "name": "x" * 5000}, "name"),
        ({**POLICY, "name": "Taken"}, "name"),
        ({**POLICY, "targets": []}, "targets"),
        ({**POLICY, "targets": [{"priority": "high", "first_response_minutes": 10**9}]}, "targets"),
        ({**POLICY, "targets": [{"priority": "someday", "first_response_minutes": 5}]}, "targets"),
        ({**POLICY, "targets": [{"priority": "high", "first_response_minutes": 5}] * 2}, "targets"),
        ({**POLICY, "priorities": ["soon"]}, "priorities"),
        ({**POLICY, "tier_values": ["x\x00"]}, "tier_values"),
        ({**POLICY, "tier_values": []}, "tier_values"),
        ({**POLICY, "warning_percent": 100}, "warning_percent"),
    ]
    for body, field in policies:
        response = post(client, "/api/v1/sla-policies/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in top_fields(response), (body, response.json())
    calendars = [
        ({"name": "A", "time_zone": "Mars/Olympus", "intervals": WEEK}, "time_zone"),
        ({"name": "A", "time_zone": "UTC", "intervals": []}, "intervals"),
        ({"name": "A", "time_zone": "UTC", "intervals": [{"weekday": 0, "start_minute": 600, "end_minute": 540}]},
         "intervals"),
        ({"name": "A", "time_zone": "UTC", "intervals": [{"weekday": 9, "start_minute": 0, "end_minute": 60}]},
         "intervals"),
        ({"name": "A", "time_zone": "UTC", "intervals": WEEK, "country": "XX"}, "country"),
        ({"name": "Kept", "time_zone": "UTC", "intervals": WEEK}, "name"),
        ({"name": "A\x00", "time_zone": "UTC", "intervals": WEEK}, "name"),
    ]  # fmt: skip
    for body, field in calendars:
        response = post(client, "/api/v1/business-calendars/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in top_fields(response), (body, response.json())
    holidays = [
        ({"calendar": calendar.pk, "date": kept.date.isoformat(), "name": "Twice"}, "date"),
        ({"calendar": calendar.pk, "date": "99999-01-01", "name": "Far"}, "date"),
        ({"calendar": calendar.pk, "date": "2030-01-01", "name": "y" * 500}, "name"),
        ({"calendar": calendar.pk + 1000, "date": "2030-01-01", "name": "Nowhere"}, "calendar"),
        ({"date": "2030-01-01", "name": "Nowhere"}, "calendar"),
    ]
    for body, field in holidays:
        response = post(client, "/api/v1/calendar-holidays/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in top_fields(response), (body, response.json())
    assert schema_snapshot(alpha.tenant) == before


def test_agents_read_the_settings_admins_write_them_and_keys_need_the_scope(alpha: TenantFixture) -> None:
    service_agent(alpha)
    with alpha.active():
        policy = save_policy(None, name="Standard", targets={"normal": (60, None)})
        calendar = save_calendar(None, name="Office", time_zone="UTC", intervals=[(0, 540, 1020)])
    agent = api_client(alpha, "agent@example.test")
    _key, read_only = issue_key(alpha, scopes=("service:read",))
    _key, sales_only = issue_key(alpha, scopes=("sales:read", "sales:write"), name="Sales")
    reader, seller = bearer_client(alpha, read_only), bearer_client(alpha, sales_only)
    before = written(alpha)

    for path in ("/api/v1/sla-policies/", "/api/v1/business-calendars/", "/api/v1/calendar-holidays/"):
        assert agent.get(path).status_code == 200, path
        assert reader.get(path).status_code == 200, path
        assert seller.get(path).status_code == 403, path
    assert post(agent, "/api/v1/sla-policies/", POLICY).status_code == 403
    assert patch(agent, f"/api/v1/sla-policies/{policy.pk}/", {"name": "Mine"}).status_code == 403
    assert agent.delete(f"/api/v1/business-calendars/{calendar.pk}/").status_code == 403
    refused = post(reader, "/api/v1/calendar-holidays/", {"calendar": calendar.pk, "date": "2031-01-01", "name": "X"})
    assert refused.status_code == 403
    assert "service:write" in refused.json()["detail"]
    mutation = post_graphql(
        agent,
        "mutation($id: ID!) { slaPolicyDelete(id: $id) { errors { code } } }",
        {"id": to_global_id("SlaPolicy", policy.pk)},
    ).json()
    assert [error["code"] for error in mutation["data"]["slaPolicyDelete"]["errors"]] == ["PERMISSION_DENIED"]
    denied = post_graphql(seller, "{ slaPolicies(first: 5) { totalCount } }").json()
    assert denied["data"]["slaPolicies"] is None
    assert written(alpha) == before


def test_graphql_reads_and_writes_the_same_settings(alpha: TenantFixture) -> None:
    client = alpha.client()
    create = """mutation($input: SlaPolicyInput!) { slaPolicyCreate(input: $input) {
        slaPolicy { id name priorities tierSource targets { priority firstResponseMinutes resolutionMinutes } }
        errors { field code } } }"""
    made = post_graphql(client, create, {"input": {"name": "Silver", "priorities": ["HIGH"], "tierSource": "CONTACT",
        "targets": [{"priority": "HIGH", "firstResponseMinutes": 30}]}}).json()["data"]["slaPolicyCreate"]  # fmt: skip
    bad = post_graphql(client, create, {"input": {"name": "Bad", "targets": []}}).json()["data"]["slaPolicyCreate"]
    calendar = post_graphql(client, """mutation($input: BusinessCalendarInput!) {
        businessCalendarCreate(input: $input) { businessCalendar { id timeZone intervals { weekday startMinute } }
        errors { field } } }""", {"input": {"name": "Paris", "timeZone": "Europe/Paris",
        "intervals": [{"weekday": 1, "startMinute": 480, "endMinute": 960}]}}).json()["data"]  # fmt: skip
    calendar_id = calendar["businessCalendarCreate"]["businessCalendar"]["id"]
    day = post_graphql(client, """mutation($input: CalendarHolidayInput!) { calendarHolidayCreate(input: $input) {
        calendarHoliday { date calendar { id } } errors { field } } }""",
        {"input": {"calendar": calendar_id, "date": "2031-05-02", "name": "Bridge"}}).json()["data"]  # fmt: skip
    listed = post_graphql(client, "{ slaPolicies(first: 5, isActive: true) { edges { node { name } } } }").json()

    assert made["errors"] == [], made
    assert made["slaPolicy"]["priorities"] == ["HIGH"]
    assert made["slaPolicy"]["tierSource"] == "CONTACT"
    assert made["slaPolicy"]["targets"] == [{"priority": "HIGH", "firstResponseMinutes": 30,
                                             "resolutionMinutes": None}]  # fmt: skip
    assert [error["field"] for error in bad["errors"]] == ["targets"]
    assert calendar["businessCalendarCreate"]["businessCalendar"]["intervals"] == [{"weekday": 1, "startMinute": 480}]
    assert day["calendarHolidayCreate"]["calendarHoliday"] == {"date": "2031-05-02", "calendar": {"id": calendar_id}}
    assert [edge["node"]["name"] for edge in listed["data"]["slaPolicies"]["edges"]] == ["Silver"]


def test_null_optional_fields_are_empty_not_a_server_error(alpha: TenantFixture) -> None:
    client = alpha.client()
    create = """mutation($input: SlaPolicyInput!) { slaPolicyCreate(input: $input) {
        slaPolicy { id } errors { field code } } }"""
    answer = post_graphql(client, create, {"input": {"tierField": None, "tierValues": None, "priorities": None}}).json()

    assert "errors" not in answer, answer
    fields = {error["field"] for error in answer["data"]["slaPolicyCreate"]["errors"]}
    assert "targets" in fields
    assert answer["data"]["slaPolicyCreate"]["slaPolicy"] is None


def test_another_tenants_sla_settings_are_out_of_reach(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        policy = save_policy(None, name="Alpha policy", targets={"normal": (60, None)})
        calendar = save_calendar(None, name="Alpha calendar", time_zone="UTC", intervals=[(0, 540, 1020)])
        holiday = add_holiday(calendar, day=timezone.localdate() + timedelta(days=5), name="Alpha day")
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/sla-policies/{policy.pk}/", {}),
        ("patch", f"/api/v1/sla-policies/{policy.pk}/", {"name": "Stolen"}),
        ("delete", f"/api/v1/sla-policies/{policy.pk}/", {}),
        ("get", f"/api/v1/business-calendars/{calendar.pk}/", {}),
        ("patch", f"/api/v1/business-calendars/{calendar.pk}/", {"name": "Stolen"}),
        ("delete", f"/api/v1/business-calendars/{calendar.pk}/", {}),
        ("get", f"/api/v1/calendar-holidays/{holiday.pk}/", {}),
        ("delete", f"/api/v1/calendar-holidays/{holiday.pk}/", {}),
    ])  # fmt: skip
    before = schema_snapshot(alpha.tenant)
    node = post_graphql(beta.client(), f'{{ node(id: "{to_global_id("SlaPolicy", policy.pk)}") {{ id }} }}').json()
    assert node["data"]["node"] is None
    assert schema_snapshot(alpha.tenant) == before


def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture) -> None:
    def add(count: int) -> None:
        with alpha.active():
            start = SlaPolicy.objects.count()
            for index in range(start, start + count):
                save_policy(None, name=f"Policy {index}", targets={"low": (10, 20), "high": (5, 10)})
                calendar = save_calendar(None, name=f"Calendar {index}", time_zone="UTC",
                                         intervals=[(0, 540, 720), (0, 780, 1020)])  # fmt: skip
                add_holiday(calendar, day=timezone.localdate() + timedelta(days=index + 1), name="Day")

    client = api_client(alpha)
    paths = ["/api/v1/sla-policies/?page_size=100", "/api/v1/business-calendars/?page_size=100",
             "/api/v1/calendar-holidays/?page_size=100"]  # fmt: skip
    query = ("{ slaPolicies(first: 100) { edges { node { name targets { priority } } } } "
             "businessCalendars(first: 100) { edges { node { name team { name } intervals { weekday } } } } "
             "calendarHolidays(first: 100) { edges { node { date calendar { name } } } } }")  # fmt: skip
    add(5)
    few = [queries_for(client, path)[0] for path in paths]
    few_graphql = graphql_queries(alpha, query)
    add(45)
    many = [queries_for(client, path) for path in paths]

    assert [count for count, _response in many] == few
    assert all(len(response.json()["results"]) == 50 for _count, response in many)
    assert graphql_queries(alpha, query) == few_graphql
    with alpha.active():
        assert CalendarHoliday.objects.count() == 50


def graphql_queries(alpha: TenantFixture, query: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = alpha.client()
    with CaptureQueriesContext(connection) as captured:
        body = post_graphql(client, query).json()
    assert "errors" not in body, body
    return len(captured)


def test_case_sla_and_solution_events_are_webhook_event_types() -> None:
    from api.webhooks.event_types import known_event_types

    assert {"case.sla_warning", "case.sla_breached", "case.solved", "case.created"} <= known_event_types()
