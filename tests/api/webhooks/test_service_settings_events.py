"""The service module's settings records reach webhooks like cases do: SLA policies, business
calendars, their days off, assignment rules, canned responses and portal users write
``<type>.created / .updated / .deleted`` when written through the API (or the settings pages), and
a subscribed endpoint receives them with the record's id, the actor and the changed fields' names
(never their values). A refused write and a change that changes nothing write no event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from api.webhooks.event_types import known_event_types
from api.webhooks.services.sending import attempt_delivery
from customization.events.models import DomainEvent
from modules.service.settings_events import SETTINGS_RECORDS
from tests.api.rest_crm.helpers import api_client, patch, post
from tests.api.webhooks.conftest import Receiver, deliver_events, make_endpoint
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")
WEEK = [{"weekday": day, "start_minute": 540, "end_minute": 1020} for day in range(5)]
POLICY = {"name": "Gold", "targets": [{"priority": "high", "first_response_minutes": 60}]}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def _events(fixture: TenantFixture, entity: str, ids: object = None) -> list[tuple[str, int, list[str]]]:
    """The events of ``entity`` (of the records ``ids`` only, when given: another test of the same
    database may have committed events of the same type before this one)."""
    with fixture.active():
        rows = DomainEvent.objects.filter(entity=entity).order_by("id")
        if ids is not None:
            rows = rows.filter(record_id__in=ids)
        return [(row.type, row.record_id, [c["field"] for c in row.data.get("changes", [])]) for row in rows]


def test_every_settings_type_offers_created_updated_and_deleted() -> None:
    wanted = {
        f"{entity}.{action}" for entity, _label in SETTINGS_RECORDS for action in ("created", "updated", "deleted")
    }
    assert len(SETTINGS_RECORDS) == 6
    assert wanted <= known_event_types()


def test_sla_settings_written_through_the_api_are_delivered(alpha: TenantFixture, receiver: Receiver) -> None:
    types = [f"{entity}.{action}" for entity in ("sla_policy", "business_calendar", "calendar_holiday")
             for action in ("created", "updated", "deleted")]  # fmt: skip
    with alpha.active():
        make_endpoint(receiver.url, event_types=types)
    client = api_client(alpha)
    day = (timezone.localdate() + timedelta(days=60)).isoformat()

    policy = post(client, "/api/v1/sla-policies/", POLICY).json()["id"]
    retarget = {"targets": [{"priority": "normal", "resolution_minutes": 960}], "warning_percent": 70}
    assert patch(client, f"/api/v1/sla-policies/{policy}/", retarget).status_code == 200
    assert patch(client, f"/api/v1/sla-policies/{policy}/", {"name": "Gold"}).status_code == 200  # unchanged
    assert post(client, "/api/v1/sla-policies/", {"name": "No targets"}).status_code == 400
    calendar = post(client, "/api/v1/business-calendars/",
                    {"name": "Berlin", "time_zone": "Europe/Berlin", "intervals": WEEK}).json()["id"]  # fmt: skip
    assert patch(client, f"/api/v1/business-calendars/{calendar}/", {"intervals": WEEK[:4]}).status_code == 200
    holiday = post(client, "/api/v1/calendar-holidays/", {"calendar": calendar, "date": day, "name": "Team day"})
    holiday_id = holiday.json()["id"]
    assert patch(client, f"/api/v1/calendar-holidays/{holiday_id}/", {"name": "Offsite"}).status_code == 200
    for path in (f"calendar-holidays/{holiday_id}", f"business-calendars/{calendar}", f"sla-policies/{policy}"):
        assert client.delete(f"/api/v1/{path}/").status_code == 204, path
    with alpha.active():
        deliveries = deliver_events()
        assert [attempt_delivery(delivery.pk) for delivery in deliveries] == ["succeeded"] * len(deliveries)

    assert _events(alpha, "sla_policy") == [
        ("sla_policy.created", policy, []),
        ("sla_policy.updated", policy, ["warning_percent", "targets"]),
        ("sla_policy.deleted", policy, []),
    ]
    assert _events(alpha, "business_calendar") == [
        ("business_calendar.created", calendar, []),
        ("business_calendar.updated", calendar, ["intervals"]),
        ("business_calendar.deleted", calendar, []),
    ]
    assert _events(alpha, "calendar_holiday") == [
        ("calendar_holiday.created", holiday_id, []),
        ("calendar_holiday.updated", holiday_id, ["name"]),
        ("calendar_holiday.deleted", holiday_id, []),
    ]
    bodies = receiver.bodies()
    assert len(bodies) == 9
    assert {body["data"]["actor_id"] for body in bodies} == {alpha.user().pk}
    [deleted] = [body for body in bodies if body["type"] == "sla_policy.deleted"]
    assert (deleted["data"]["entity"], deleted["data"]["id"], deleted["data"]["name"]) == ("sla_policy", policy, "Gold")
    [updated] = [body for body in bodies if body["type"] == "calendar_holiday.updated"]
    assert updated["data"]["changes"] == [{"field": "name"}]  # the name, never the new value


def test_desk_settings_and_portal_users_written_through_the_api_write_events(alpha: TenantFixture) -> None:
    with alpha.active():
        contact = ContactFactory(email="ana@people.example")
    client = api_client(alpha)

    first = post(client, "/api/v1/assignment-rules/", {"name": "Desk", "method": "round_robin"}).json()["id"]
    second = post(client, "/api/v1/assignment-rules/", {"name": "Phones", "method": "least_loaded"}).json()["id"]
    assert patch(client, f"/api/v1/assignment-rules/{first}/", {"channel": "phone"}).status_code == 200
    assert post(client, "/api/v1/assignment-rules/reorder/", {"order": [second, first]}).status_code == 200
    assert client.delete(f"/api/v1/assignment-rules/{first}/").status_code == 204
    shared = post(client, "/api/v1/canned-responses/", {"title": "Hi", "body": "Hello", "shared": True}).json()["id"]
    own = post(client, "/api/v1/canned-responses/", {"title": "Mine", "body": "Secret words"}).json()["id"]
    assert patch(client, f"/api/v1/canned-responses/{own}/", {"body": "Other words"}).status_code == 200
    assert patch(client, f"/api/v1/canned-responses/{own}/", {"body": "Other words"}).status_code == 200  # same
    assert client.delete(f"/api/v1/canned-responses/{own}/").status_code == 204
    invited = post(client, "/api/v1/portal-users/", {"contact": contact.pk}).json()["id"]
    assert patch(client, f"/api/v1/portal-users/{invited}/", {"is_active": False}).status_code == 200

    assert _events(alpha, "assignment_rule", [first, second]) == [
        ("assignment_rule.created", first, []),
        ("assignment_rule.created", second, []),
        ("assignment_rule.updated", first, ["channel"]),
        ("assignment_rule.updated", second, ["position"]),
        ("assignment_rule.updated", first, ["position"]),
        ("assignment_rule.deleted", first, []),
    ]
    assert _events(alpha, "canned_response", [shared, own]) == [
        ("canned_response.created", shared, []),
        ("canned_response.created", own, []),
        ("canned_response.updated", own, ["body"]),
        ("canned_response.deleted", own, []),
    ]
    assert _events(alpha, "portal_user", [invited]) == [
        ("portal_user.created", invited, []),
        ("portal_user.updated", invited, ["is_active"]),
    ]
    with alpha.active():
        own_deleted = DomainEvent.objects.get(type="canned_response.deleted", record_id=own)
        texts = [str(event.data) for event in DomainEvent.objects.filter(entity__in=["canned_response", "portal_user"])]
    assert own_deleted.data == {}  # a personal response's title is not sent
    assert not any("Secret" in text or "Other words" in text or "ana@people" in text for text in texts)


def test_a_change_on_the_settings_page_writes_the_same_event(alpha: TenantFixture) -> None:
    client = api_client(alpha)
    first = post(client, "/api/v1/assignment-rules/", {"name": "Desk", "method": "round_robin"}).json()["id"]
    second = post(client, "/api/v1/assignment-rules/", {"name": "Phones", "method": "least_loaded"}).json()["id"]
    browser = alpha.client()

    moved = browser.post(f"/settings/service/assignment/{second}/move/", {"direction": "up"})

    assert moved.status_code == 302
    assert _events(alpha, "assignment_rule")[2:] == [
        ("assignment_rule.updated", second, ["position"]),
        ("assignment_rule.updated", first, ["position"]),
    ]
    with alpha.active():
        assert {event.actor_id for event in DomainEvent.objects.filter(entity="assignment_rule")} == {alpha.user().pk}
