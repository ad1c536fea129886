"""Calendars reached through a provider's API: connecting a Microsoft 365 / Outlook.com or Google account
for the ``calendar`` purpose makes it the user's synced calendar (in place of a CalDAV one, whose
sync knowledge is dropped; the meetings stay), synced from the next round."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.services.audit import audit
from modules.activities.calendar_sync.choices import CalendarKind, ConnectionState
from modules.activities.calendar_sync.models import CalendarConnection
from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.purposes import Purpose, register_purpose


def complete(account: OAuthAccount) -> str:
    kind = CalendarKind(account.provider)
    with transaction.atomic():
        connection, created = CalendarConnection.objects.select_for_update().get_or_create(
            user=account.user, defaults={"kind": kind, "oauth_account": account}
        )
        if not created:
            if connection.kind != kind or connection.oauth_account_id != account.pk:
                connection.events.all().delete()  # another calendar: nothing known of it yet
                connection.ctag, connection.delta_link = "", ""
            connection.kind, connection.oauth_account = kind, account
            connection.url, connection.username, connection.password = "", "", ""
            connection.state, connection.failures, connection.next_sync_at = ConnectionState.ACTIVE, 0, None
            connection.last_error = ""
            connection.save()
        audit(
            "calendar.connected",
            _("Calendar connected: %(url)s") % {"url": account.email},
            by=account.user,
            target=account.email,
        )
    return reverse("calendar-sync:connection")


def register() -> None:
    from modules.activities.calendar_sync.services.google_sync import sync_google_calendar
    from modules.activities.calendar_sync.services.graph import sync_provider_calendar
    from modules.activities.calendar_sync.services.sync import PROVIDER_SYNCS

    PROVIDER_SYNCS[CalendarKind.MICROSOFT] = sync_provider_calendar
    PROVIDER_SYNCS[CalendarKind.GOOGLE] = sync_google_calendar
    register_purpose(
        Purpose(
            name="calendar", complete=complete, back_url=lambda: reverse("calendar-sync:connection"),
            label=gettext_lazy("Calendar"),
            accounts_in_use=lambda user: CalendarConnection.objects.filter(user=user, oauth_account__isnull=False)
            .values_list("oauth_account_id", flat=True),
        )
    )  # fmt: skip
