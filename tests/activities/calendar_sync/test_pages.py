"""Settings → Calendar sync: a user connects their own calendar (tried first, the password stored
encrypted), tests it, disconnects it; bad input is refused naming the field; a role without
``activities.change``, another workspace and an API key reach nothing; the meeting page shows
a synced meeting's conflict."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from core.encryption import decrypt
from identity.models import AuditEntry
from identity.services.api_keys import create_api_key
from modules.activities.calendar_sync.choices import ConflictWinner, ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection, SyncedEvent
from modules.activities.calendar_sync.tasks import sync_calendar
from modules.activities.choices import ActivityKind
from modules.activities.services.activities import create_activity
from tests.activities.calendar_sync.conftest import run_sync, soon
from tests.caldav_server import CalDAVServer
from tests.tenancy import REP_EMAIL, TenantFixture, revoke, with_session_of

PAGE = "/settings/calendar-sync/"


def _form(caldav_server: CalDAVServer, url: str, **changes: Any) -> dict[str, Any]:
    return {"url": url, "username": caldav_server.user, "password": caldav_server.password, "past_days": "30",
            **changes}  # fmt: skip


def test_a_user_connects_their_calendar_and_the_password_is_stored_encrypted(
    alpha: TenantFixture, caldav_server: CalDAVServer
):
    url = caldav_server.new_calendar()

    response = alpha.client(REP_EMAIL).post(PAGE, _form(caldav_server, url))

    assert response.status_code == 302
    with alpha.active():
        connection = CalendarConnection.objects.get()
        assert connection.user == alpha.user(REP_EMAIL)
        assert connection.password.startswith("fernet:")
        assert decrypt(connection.password) == caldav_server.password
        assert AuditEntry.objects.filter(action="calendar.connected").exists()
    page = alpha.client(REP_EMAIL).get(PAGE).content.decode()
    assert url in page
    # Colleagues see only their own (none).
    assert url not in alpha.client().get(PAGE).content.decode()


def test_a_wrong_password_or_a_url_that_is_no_calendar_is_refused_before_saving(
    alpha: TenantFixture, caldav_server: CalDAVServer
):
    url = caldav_server.new_calendar()
    client = alpha.client(REP_EMAIL)

    wrong_password = client.post(PAGE, _form(caldav_server, url, password="not-it"))
    not_a_calendar = client.post(PAGE, _form(caldav_server, f"{caldav_server.base_url}/{caldav_server.user}/"))

    for response in (wrong_password, not_a_calendar):
        assert response.status_code == 400
        assert 'data-testid="url-errors"' in response.content.decode()
    with alpha.active():
        assert not CalendarConnection.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("url", "not a url"), ("url", "ftp://example.test/cal/"), ("past_days", "-1"), ("past_days", "100000"),
     ("username", "rep\x00"), ("username", "x" * 300), ("password", "")],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field(
    alpha: TenantFixture, caldav_server: CalDAVServer, field: str, value: str
):
    response = alpha.client(REP_EMAIL).post(PAGE, {**_form(caldav_server, "http://127.0.0.1:1/cal/"), field: value})

    assert response.status_code == 400
    assert f'data-testid="{field}-errors"' in response.content.decode()
    with alpha.active():
        assert not CalendarConnection.objects.exists()


def test_a_calendar_on_an_internal_address_is_refused_outside_tests(
    alpha: TenantFixture, caldav_server: CalDAVServer, settings: Any
):
    settings.OUTBOUND_HTTP_ALLOW_PRIVATE = False
    response = alpha.client(REP_EMAIL).post(PAGE, _form(caldav_server, caldav_server.new_calendar()))

    assert response.status_code == 400
    assert 'data-testid="url-errors"' in response.content.decode()


def test_connecting_again_restarts_a_stopped_sync_and_disconnecting_keeps_the_meetings(
    alpha: TenantFixture, caldav_server: CalDAVServer, calendar: CalendarConnection
):
    start = soon(days=2)
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(by=rep, kind=ActivityKind.MEETING, subject="Plan", due_at=start, assignee=rep)
    run_sync(alpha, calendar)
    with alpha.active():
        CalendarConnection.objects.filter(pk=calendar.pk).update(state=ConnectionState.BROKEN, last_error="refused")
    client = alpha.client(REP_EMAIL)

    assert client.post(PAGE, _form(caldav_server, calendar.url, password="")).status_code == 302  # keeps the password
    with alpha.active():
        calendar.refresh_from_db()
        assert (calendar.state, calendar.last_error) == (ConnectionState.ACTIVE, "")
    assert client.post(f"{PAGE}test/").status_code == 302

    assert client.post(f"{PAGE}disconnect/").status_code == 302
    with alpha.active():
        assert not CalendarConnection.objects.exists()
        assert not SyncedEvent.objects.exists()
        assert type(meeting).objects.filter(pk=meeting.pk).exists()


def test_a_role_without_the_permission_is_refused_everywhere(alpha: TenantFixture, calendar: CalendarConnection):
    revoke(alpha, "sales_rep", "activities.change")
    client = alpha.client(REP_EMAIL)

    assert client.get(PAGE).status_code == 403
    for action in ("", "test/", "sync/", "disconnect/"):
        assert client.post(f"{PAGE}{action}", {"url": "http://127.0.0.1:1/x/"}).status_code == 403
    with alpha.active():
        assert CalendarConnection.objects.filter(pk=calendar.pk).exists()


def test_another_workspace_and_a_stolen_session_reach_nothing(
    alpha: TenantFixture, beta: TenantFixture, calendar: CalendarConnection
):
    beta_page = beta.client(REP_EMAIL).get(PAGE).content.decode()
    assert calendar.url not in beta_page
    assert beta.client(REP_EMAIL).post(f"{PAGE}disconnect/").status_code == 302

    stolen = with_session_of(alpha.client(REP_EMAIL), beta.host)
    for method, action in (("get", ""), ("post", "disconnect/"), ("post", "test/")):
        response = getattr(stolen, method)(f"{PAGE}{action}")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    with alpha.active():
        assert CalendarConnection.objects.filter(pk=calendar.pk).exists()


def test_an_api_key_reaches_no_calendar_page(alpha: TenantFixture, calendar: CalendarConnection):
    with alpha.active():
        _key, secret = create_api_key(
            user=alpha.user(REP_EMAIL), name="sync", scopes=["activities:read", "activities:write"]
        )
    client = alpha.client(None, HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert client.get(PAGE).status_code == 302
    assert client.post(f"{PAGE}disconnect/").status_code in (302, 403)
    with alpha.active():
        assert CalendarConnection.objects.filter(pk=calendar.pk).exists()


def test_the_meeting_page_shows_the_recorded_conflict(alpha: TenantFixture, calendar: CalendarConnection):
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        meeting = create_activity(by=rep, kind=ActivityKind.MEETING, subject="Plan", due_at=soon(), assignee=rep)
        SyncedEvent.objects.create(
            connection=calendar, activity=meeting, uid="plan@x", href="/rep/c/plan.ics",
            conflict_at=timezone.now() - timedelta(minutes=1), conflict_winner=ConflictWinner.CALENDAR,
            conflict_lost="Plan (moved here)",
        )  # fmt: skip

    page = alpha.client(REP_EMAIL).get(f"/activities/{meeting.pk}/").content.decode()

    assert 'data-testid="calendar-conflict"' in page
    assert "Plan (moved here)" in page


def test_a_sync_queued_in_another_workspace_touches_nothing(
    alpha: TenantFixture, beta: TenantFixture, calendar: CalendarConnection
):
    with beta.active():
        assert sync_calendar(calendar.pk) == "skipped"
        assert not CalendarConnection.objects.exists()
    with alpha.active():
        calendar.refresh_from_db()
    assert (calendar.last_synced_at, calendar.ctag) == (None, "")
