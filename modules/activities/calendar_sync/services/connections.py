"""Connecting a user's calendar: connect (the calendar is tried first), try it again, disconnect.
(A provider's calendar is connected through its account: ``calendar_sync.oauth``.)

The password is stored encrypted (``core.encryption``); a blank password when connecting again
keeps the stored one. Connecting again also restarts a stopped sync. Disconnecting forgets the
calendar and what the sync knew of its events; the meetings stay. Each change is audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.encryption import UnreadableSecret, decrypt, encrypt
from core.input_bounds import check_value
from customization import outbound_http
from identity.models import User
from identity.services.audit import audit
from modules.activities.calendar_sync.choices import CalendarKind, ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.services.client import CalDAVClient, CalDAVError
from modules.activities.calendar_sync.services.graph import window_of
from modules.activities.calendar_sync.services.sync import client_for
from modules.oauth_accounts.graph import GraphClient
from modules.oauth_accounts.services.accounts import release_account
from modules.oauth_accounts.services.tokens import OAuthError

MAX_PAST_DAYS = 365


def try_calendar(client: CalDAVClient) -> None:
    """Raise a ValidationError on ``url`` saying why the calendar cannot be used."""
    try:
        client.collection_tag()
    except CalDAVError as error:
        raise ValidationError({"url": [str(error)]}) from error


def connect_calendar(*, user: User, url: str, username: str, password: str, past_days: int) -> CalendarConnection:
    for name, value in (("url", url), ("username", username), ("password", password), ("past_days", past_days)):
        check_value(value, field=name)
    if not 0 <= past_days <= MAX_PAST_DAYS:
        raise ValidationError(
            {"past_days": [_("Enter a number of days between 0 and %(max)d.") % {"max": MAX_PAST_DAYS}]}
        )
    try:
        outbound_http.check_destination(url)
    except outbound_http.OutboundError as error:
        raise ValidationError({"url": [str(error)]}) from error
    existing = CalendarConnection.objects.filter(user=user, kind=CalendarKind.CALDAV).first()
    previous_account = None
    if not password and existing is not None:
        try:
            password = decrypt(existing.password)
        except UnreadableSecret:
            password = ""
    if not password:
        raise ValidationError({"password": [_("Enter the calendar's password.")]})
    try_calendar(CalDAVClient(url, username, password))
    with transaction.atomic():
        connection, created = CalendarConnection.objects.select_for_update().get_or_create(
            user=user,
            defaults={"url": url, "username": username, "password": encrypt(password), "past_days": past_days},
        )
        if not created:
            if connection.url != url or connection.kind != CalendarKind.CALDAV:
                connection.events.all().delete()  # another calendar: nothing known of it yet
                connection.ctag, connection.delta_link = "", ""
            previous_account = connection.oauth_account
            connection.kind, connection.oauth_account = CalendarKind.CALDAV, None
            connection.url, connection.username, connection.password = url, username, encrypt(password)
            connection.past_days = past_days
            connection.state, connection.failures, connection.next_sync_at = ConnectionState.ACTIVE, 0, None
            connection.last_error = ""
            connection.save()
        audit("calendar.connected", _("Calendar connected: %(url)s") % {"url": url}, by=user, target=url)
    if not created and previous_account is not None:
        release_account(previous_account, by=user)
    return connection


def test_connection(connection: CalendarConnection) -> None:
    """Raise a ValidationError on ``url`` when the connected calendar cannot be used now."""
    if connection.kind != CalendarKind.CALDAV:
        if connection.oauth_account is None:
            raise ValidationError({"url": [_("The calendar's account is not connected: connect it again.")]})
        try:
            GraphClient(connection.oauth_account).json("GET", "me/calendarView/delta", params=window_of(connection))
        except OAuthError as error:
            raise ValidationError({"url": [str(error)]}) from error
        return
    try:
        client = client_for(connection)
    except UnreadableSecret as error:
        raise ValidationError({"password": [_("The stored password cannot be read: enter it again.")]}) from error
    try_calendar(client)


def disconnect_calendar(*, user: User) -> bool:
    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().filter(user=user).first()
        if connection is None:
            return False
        url = connection.url or (connection.oauth_account.email if connection.oauth_account else connection.kind)
        account = connection.oauth_account
        connection.delete()
        audit("calendar.disconnected", _("Calendar disconnected: %(url)s") % {"url": url}, by=user, target=url)
    if account is not None:  # its tokens go too unless the mailbox still uses the account
        release_account(account, by=user)
    return True
