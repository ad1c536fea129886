"""The e-mail a recipient gets (their report run as them, in their language, the file attached)
and the notice its owner gets when a delivery has failed for good."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from identity.models import User
from modules.activities.choices import NotificationKind
from modules.activities.services.notifications import notify
from modules.analytics.reports.choices import DeliveryFormat, Frequency
from modules.analytics.reports.delivery.models import ReportDelivery, ReportSubscription
from modules.analytics.reports.delivery.schedule import tenant_zone
from modules.analytics.reports.exports import file_name, report_pdf, report_table
from modules.analytics.reports.filters_text import filters_in_words
from modules.analytics.reports.pdf import CONTENT_TYPE as PDF
from modules.analytics.reports.running import prepared
from modules.analytics.reports.selectors import access_for
from modules.dataio.exports.writers import csv_chunks

MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024  # what common mail servers accept, with room for encoding


class AttachmentTooLarge(Exception):
    pass


def language_of(user: User) -> str:
    return user.locale or getattr(getattr(connection, "tenant", None), "locale", "") or settings.LANGUAGE_CODE


def schedule_in_words(subscription: ReportSubscription) -> str:
    hour = f"{subscription.hour:02d}:00"
    if subscription.frequency == Frequency.DAILY:
        return _("every day at %(hour)s") % {"hour": hour}
    if subscription.frequency == Frequency.WEEKLY:
        return _("every %(weekday)s at %(hour)s") % {"weekday": subscription.get_weekday_display(), "hour": hour}
    return _("on day %(day)s of every month at %(hour)s") % {"day": subscription.day_of_month, "hour": hour}


def _report_link(pk: int) -> str:
    host = getattr(getattr(connection, "tenant", None), "primary_host", "")
    scheme = settings.PUBLIC_URL_SCHEME
    return f"{scheme}://{host}{reverse('analytics:report-detail', args=[pk])}"


def _csv_bytes(delivery: ReportDelivery) -> bytes:
    table = report_table(delivery.report, delivery.recipient, access_for(delivery.recipient), {})
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as target:
        for chunk in csv_chunks(table):  # stops reading the records once the file is too large
            target.write(chunk.encode("utf-8"))
            if target.tell() > MAX_ATTACHMENT_BYTES:
                raise AttachmentTooLarge
        target.seek(0)
        return target.read()


def build_message(delivery: ReportDelivery) -> EmailMessage:
    """The message for ``delivery``, rendered in the recipient's language and the tenant's zone;
    a ``ValidationError`` when the report no longer runs."""
    report, recipient = delivery.report, delivery.recipient
    zone = tenant_zone()
    with translation.override(language_of(recipient)), timezone.override(zone):
        access = access_for(recipient)
        _source, spec = prepared(report, access)
        if delivery.file_format == DeliveryFormat.PDF:
            content, mimetype = report_pdf(report, recipient, access), PDF
        else:
            try:
                content, mimetype = _csv_bytes(delivery), "text/csv"
            except AttachmentTooLarge:
                content, mimetype = b"", "text/csv"
        context = {
            "report": report,
            "recipient": recipient,
            "moment": formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
            "zone": str(zone),
            "filters": filters_in_words(spec),
            "schedule": schedule_in_words(delivery.subscription),
            "link": _report_link(report.pk),
            "too_large": not content,
        }
        message = EmailMessage(
            subject=_("Report: %(name)s") % {"name": report.name},
            body=render_to_string("analytics/reports/email/delivery.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
            headers={"Message-ID": f"<{delivery.key}@{settings.BASE_DOMAIN}>"},
        )
        if content:
            message.attach(file_name(report, delivery.file_format), content, mimetype)
    return message


def owner_notice(delivery: ReportDelivery) -> None:
    """Tell the report's owner, in their language, that a copy could not be delivered (once per
    delivery, whoever records the failure)."""
    report, recipient = delivery.report, delivery.recipient
    notify(
        [report.owner],
        kind=NotificationKind.DELIVERY_FAILED,
        entity="report",
        record_id=report.pk,
        title=lambda: (
            _("Report %(report)s could not be delivered to %(recipient)s.")
            % {"report": report.name, "recipient": str(recipient)}
        ),
        dedupe_prefix=f"report-delivery-failed:{delivery.pk}",
    )
