"""Starting, scheduling and cancelling the send of a marketing e-mail (the only writers of a send's
state; the engine in ``engine.py`` moves the recipients)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.usage import marketing_email_allowance
from core.input_bounds import moment_problem
from identity.models import User
from identity.services.audit import audit
from modules.marketing.choices import EmailStatus
from modules.marketing.delivery.choices import PENDING, RecipientState, SendStatus
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.services.audience import create_recipients, skip_unreachable, split_for_ab_test
from modules.marketing.models import MarketingEmail

STARTABLE = (EmailStatus.DRAFT, EmailStatus.SCHEDULED)


def workspace_zone() -> ZoneInfo:
    """The workspace's time zone: schedules without an offset are read in it (pages and APIs)."""
    try:
        return ZoneInfo(getattr(getattr(connection, "tenant", None), "time_zone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _check_ready(email: MarketingEmail) -> None:
    problems: dict[str, list[str]] = {}
    if email.status not in STARTABLE:
        problems["status"] = [_("Only a draft or scheduled e-mail can be sent.")]
    if email.segment_id is None:
        problems["segment"] = [_("Choose the segment the e-mail goes to.")]
    if not email.subject.strip():
        problems["subject"] = [_("Give the e-mail a subject.")]
    if email.ab_percent and not email.subject_b.strip():
        problems["subject_b"] = [_("An A/B test needs a second subject.")]
    if problems:
        raise ValidationError(problems)


def _check_plan_limit(count: int) -> None:
    tenant = getattr(connection, "tenant", None)
    allowance = marketing_email_allowance(tenant) if tenant is not None else None
    if allowance is None:
        return
    limit, used = allowance
    # ``used`` already holds this send's rows (they are written, not yet committed).
    if used > limit:
        left = max(0, limit - (used - count))
        raise ValidationError(
            {
                "recipients": [
                    ngettext(
                        "This send has %(count)s recipient, but the plan allows %(limit)s marketing e-mails a"
                        " month and %(left)s are left.",
                        "This send has %(count)s recipients, but the plan allows %(limit)s marketing e-mails a"
                        " month and %(left)s are left.",
                        count,
                    )
                    % {"count": count, "limit": limit, "left": left}
                ]
            }
        )


def start_send(email: MarketingEmail, *, by: User | None) -> Send:
    """Write the send and its recipients' rows and queue the workers (after the commit). Refused —
    and nothing written — when the e-mail is not ready or the plan's monthly limit would be passed."""
    from modules.marketing.delivery.tasks import queue_delivery

    with transaction.atomic():
        email = MarketingEmail.objects.select_for_update().get(pk=email.pk)
        _check_ready(email)
        if Send.objects.filter(email=email).exists():
            raise ValidationError({"status": [_("This e-mail has been sent already.")]})
        now = timezone.now()
        send = Send.objects.create(email=email, started_by=by, started_at=now)
        created = create_recipients(email)
        queued = Recipient.objects.filter(email=email, state=RecipientState.QUEUED).count()
        if queued == 0:
            raise ValidationError({"segment": [_("Nobody in the segment can be written to.")]})
        _check_plan_limit(queued)
        if email.ab_percent and email.subject_b.strip():
            split_for_ab_test(email)
            send.status = SendStatus.TESTING
            send.ab_decide_at = now + timedelta(hours=email.ab_wait_hours)
        send.total = created
        send.save(update_fields=["status", "ab_decide_at", "total"])
        email.status = EmailStatus.SENDING
        email.save(update_fields=["status", "updated_at"])
        audit(
            "marketing_email.send",
            _("Send of %(name)s started") % {"name": email.name},
            by=by,
            target=str(email.pk),
            details={"recipients": queued},
        )
        transaction.on_commit(lambda: queue_delivery(email.pk))
    return send


def schedule_send(email: MarketingEmail, *, at: datetime, by: User | None) -> MarketingEmail:
    """Send ``email`` at ``at``; a moment without an offset is read in the workspace's time zone."""
    if timezone.is_naive(at):
        at = timezone.make_aware(at, workspace_zone())
    problem = moment_problem(at)
    if problem:
        raise ValidationError({"scheduled_at": [problem]})
    if at <= timezone.now():
        raise ValidationError({"scheduled_at": [_("Choose a moment in the future.")]})
    with transaction.atomic():
        email = MarketingEmail.objects.select_for_update().get(pk=email.pk)
        _check_ready(email)
        email.status = EmailStatus.SCHEDULED
        email.scheduled_at = at
        email.save(update_fields=["status", "scheduled_at", "updated_at"])
        audit(
            "marketing_email.schedule",
            _("%(name)s scheduled") % {"name": email.name},
            by=by,
            target=str(email.pk),
            details={"at": at.isoformat()},
        )
    return email


def cancel_send(email: MarketingEmail, *, by: User | None) -> MarketingEmail:
    """Stop a scheduled or running send: rows not yet claimed are cancelled (a message already in a
    worker's hands finishes its hand-over)."""
    with transaction.atomic():
        email = MarketingEmail.objects.select_for_update().get(pk=email.pk)
        if email.status not in (EmailStatus.SCHEDULED, EmailStatus.SENDING):
            raise ValidationError({"status": [_("Only a scheduled or sending e-mail can be cancelled.")]})
        now = timezone.now()
        Recipient.objects.filter(email=email, state__in=(RecipientState.QUEUED, RecipientState.HELD)).update(
            state=RecipientState.CANCELLED
        )
        Send.objects.filter(email=email).exclude(status=SendStatus.SENT).update(
            status=SendStatus.CANCELLED, cancelled_at=now
        )
        email.status = EmailStatus.CANCELLED
        email.save(update_fields=["status", "updated_at"])
        audit("marketing_email.cancel", _("%(name)s cancelled") % {"name": email.name}, by=by, target=str(email.pk))
    return email


def send_unconfirmed_again(email: MarketingEmail, *, by: User | None) -> int:
    """Queue the unconfirmed rows again (a worker died while handing them over: the server may have
    them), as a marketer decides: each keeps the Message-ID of its first hand-over, so a receiving
    side that got both copies can collapse them. An address suppressed or unsubscribed from the topic since is
    skipped instead. A finished send is sending again until they are out. Returns how many were
    queued; refused, naming the field, for a cancelled send or when none is unconfirmed."""
    from modules.marketing.delivery.tasks import queue_delivery

    with transaction.atomic():
        email = MarketingEmail.objects.select_for_update().get(pk=email.pk)
        send = Send.objects.select_for_update().filter(email=email).first()
        if send is None or send.status == SendStatus.CANCELLED or email.status == EmailStatus.CANCELLED:
            raise ValidationError({"status": [_("Only a send that was not cancelled can send again.")]})
        rows = Recipient.objects.filter(email=email, state=RecipientState.UNCONFIRMED)
        if not rows.exists():
            raise ValidationError({"recipients": [_("No recipient of this e-mail is unconfirmed.")]})
        skipped = skip_unreachable(email, rows)
        queued = rows.update(state=RecipientState.QUEUED, claim="", claimed_at=None, next_attempt_at=None, error="")
        if queued and send.status == SendStatus.SENT:
            send.status, send.finished_at = SendStatus.SENDING, None
            send.save(update_fields=["status", "finished_at"])
        if queued and email.status == EmailStatus.SENT:
            email.status = EmailStatus.SENDING
            email.save(update_fields=["status", "updated_at"])
        audit(
            "marketing_email.send_unconfirmed",
            _("Unconfirmed recipients of %(name)s sent again") % {"name": email.name},
            by=by,
            target=str(email.pk),
            details={"queued": queued, "skipped": skipped},
        )
        if queued:
            transaction.on_commit(lambda: queue_delivery(email.pk))
        else:
            finish_if_done(email.pk)
    return queued


def finish_if_done(email_id: int) -> bool:
    """Mark the send and the e-mail sent once no row is left to send (and the A/B test is decided)."""
    with transaction.atomic():
        send = Send.objects.select_for_update().filter(email_id=email_id).first()
        if send is None or send.status not in (SendStatus.SENDING,):
            return False
        if Recipient.objects.filter(email_id=email_id, state__in=PENDING).exists():
            return False
        now = timezone.now()
        send.status = SendStatus.SENT
        send.finished_at = now
        send.save(update_fields=["status", "finished_at"])
        MarketingEmail.objects.filter(pk=email_id, status=EmailStatus.SENDING).update(
            status=EmailStatus.SENT, sent_at=now, updated_at=now
        )
    return True


def start_due_scheduled(now: datetime | None = None) -> list[int]:
    """Start every scheduled e-mail whose moment has come (beat calls this each minute). One that
    cannot start (its segment emptied, the plan's limit reached) goes back to draft with the reason
    in the audit log, so it does not fail again every minute."""
    moment = now or timezone.now()
    started = []
    for email in MarketingEmail.objects.filter(status=EmailStatus.SCHEDULED, scheduled_at__lte=moment):
        try:
            start_send(email, by=None)
        except ValidationError as error:
            with transaction.atomic():
                MarketingEmail.objects.filter(pk=email.pk, status=EmailStatus.SCHEDULED).update(
                    status=EmailStatus.DRAFT, updated_at=timezone.now()
                )
                audit(
                    "marketing_email.schedule_failed",
                    _("Scheduled send of %(name)s could not start") % {"name": email.name},
                    system="marketing-delivery",
                    target=str(email.pk),
                    details={"errors": error.message_dict},
                )
        else:
            started.append(email.pk)
    return started
