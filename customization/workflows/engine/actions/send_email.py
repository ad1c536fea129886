"""``send_email {"template_id", "to": "record" | "owner" | "<address>"}``: fill the template's
merge fields from the record and send it. The message leaves after the step's transaction has
committed, once: a worker that dies before the commit re-runs the step and nothing was sent; one
that dies after it finds the step done. The step id is the message's idempotency key (in its
Message-ID and ``X-Relata-Step``), so a receiving system can recognise a repeat."""

from __future__ import annotations

from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from customization.fields.choices import Entity
from customization.workflows.engine.actions.base import Outcome
from customization.workflows.engine.context import MergeValues, StepContext, merge_values, render
from customization.workflows.engine.errors import StepError
from customization.workflows.models import EmailTemplate


def _record_address(context: StepContext) -> str:
    record = context.record
    if context.entity in (Entity.DEAL, Entity.ACTIVITY, Entity.ORDER):
        contact = getattr(record, "contact", None)
        return str(getattr(contact, "email", "") or "")
    return str(getattr(record, "email", "") or "")


def recipient(to: str, context: StepContext, values: MergeValues) -> str:
    if to == "record":
        address = _record_address(context)
    elif to == "owner":
        address = values.get("owner.email", "")
    else:
        address = to.strip()
    if not address:
        raise StepError(_("There is no e-mail address to send to (%(to)s).") % {"to": to})
    try:
        validate_email(address)
    except ValidationError as error:
        raise StepError(_("%(address)s is not an e-mail address.") % {"address": address}) from error
    return address


def execute(config: dict[str, Any], context: StepContext) -> Outcome:
    template_id = config.get("template_id")
    template = None
    if isinstance(template_id, int) or (isinstance(template_id, str) and template_id.isdigit()):
        template = EmailTemplate.objects.filter(pk=int(template_id)).first()
    if template is None:
        raise StepError(_("No e-mail template has the id %(id)s.") % {"id": template_id})
    values = merge_values(context.record, context.entity)
    to = recipient(str(config.get("to") or "record"), context, values)
    subject = " ".join(render(template.subject, values).split())
    body = render(template.body, values)
    output: dict[str, Any] = {"to": to, "subject": subject, "idempotency_key": context.step_key}
    if context.dry_run:
        return Outcome({**output, "simulated": True, "body": body})
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": make_msgid(idstring=f"workflow-step-{context.step_key}"),
            "X-Relata-Step": context.step_key,
        },
    )

    def send() -> None:
        message.send(fail_silently=False)

    return Outcome(output, after_commit=send)
