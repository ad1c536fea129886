"""Open and click tracking of e-mail written in the CRM, when the workspace allows it
(``MailSettings.tracking``) and the writer asked for it (``MailMessage.tracked``).

The sent e-mail gets an HTML part made from its text (escaped, links made clickable) whose links
pass through ``/mail/p/c/<token>/`` and which carries a 1×1 image ``/mail/p/o/<token>/`` — tokens
signed per workspace (``core.mail.tracking``) naming the message (and the link). An open or a
click counts on the message (``open_count``/``opened_at``, ``click_count``/``clicked_at``) and on
the thread's timeline entries, so the records show it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import linebreaks, urlize

from core.mail import tracking
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.models import MailMessage

OPEN, CLICK = "mailboxes.open", "mailboxes.click"


def base_url() -> str:
    host = getattr(getattr(connection, "tenant", None), "primary_host", "")
    return f"{settings.PUBLIC_URL_SCHEME}://{host}"


def open_url(message_id: int, base: str) -> str:
    return base + reverse("mail-public:open", args=[tracking.sign(OPEN, message_id)])


def click_url(message_id: int, url: str, base: str) -> str:
    return base + reverse("mail-public:click", args=[tracking.sign(CLICK, [message_id, url])])


def tracked_html(message: MailMessage) -> str:
    """The HTML part of a tracked message: its text, links through the click redirect, the pixel."""
    base = base_url()
    body = linebreaks(urlize(message.text, nofollow=False, autoescape=True), autoescape=False)
    html = f"<!DOCTYPE html><html><body>{body}</body></html>"
    html = tracking.track_links(html, lambda url: click_url(message.pk, url, base))
    return tracking.add_pixel(html, open_url(message.pk, base))


def read_open(token: str) -> int | None:
    value = tracking.unsign(OPEN, token)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_click(token: str) -> tuple[int, str] | None:
    value = tracking.unsign(CLICK, token)
    if not (isinstance(value, list) and len(value) == 2):
        return None
    message_id, url = value
    if not isinstance(message_id, int) or not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    return message_id, url


def record(message_id: int, *, click: bool) -> bool:
    """Count an open (or a click, which implies the message was opened); False when the message
    is gone or was not tracked."""
    now = timezone.now()
    changes: dict[str, Any] = {"open_count": F("open_count") + 1, "opened_at": Coalesce("opened_at", now)}
    if click:
        changes.update(click_count=F("click_count") + 1, clicked_at=now)
    with transaction.atomic():
        if not MailMessage.objects.filter(pk=message_id, tracked=True).update(**changes):
            return False
        message = MailMessage.objects.only("thread_id", "open_count", "click_count").get(pk=message_id)
        entries = list(TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__thread=message.thread_id))
        totals = {"opens": 0, "clicks": 0}
        for opens, clicks in MailMessage.objects.filter(thread_id=message.thread_id, tracked=True).values_list(
            "open_count", "click_count"
        ):
            totals["opens"] += opens
            totals["clicks"] += clicks
        for entry in entries:
            entry.data = {**entry.data, **totals}
        TimelineEntry.objects.bulk_update(entries, ["data"])
    return True
