"""A rep sends a collateral item to one contact: subject and body with the workflow templates'
merge fields (``{{ record.first_name }}``, ``{{ owner.first_name }}``…), the current file attached
or a signed share link below the text, through the tenant's mail, logged on the contact's
timeline. The message goes first: a message the mail server refused leaves no entry, and an
entry is never written for mail that did not leave."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from customization.fields.choices import Entity
from customization.workflows.engine.context import merge_values, render
from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Contact
from modules.contacts.services.timeline import record_entry
from modules.marketing.collateral.models import CollateralItem
from modules.marketing.collateral.services import attach_collateral
from modules.marketing.email.sending import outgoing_connection, sender_for
from modules.marketing.models import MarketingEmail

AS_FILE = "file"
AS_LINK = "link"


def send_to_contact(
    item: CollateralItem, *, contact: Contact, subject: str, body: str, attach_as: str, by: User, link: str = ""
) -> EmailMessage:
    """Send ``item`` to ``contact`` (``attach_as``: the current file, or ``link`` — a share link
    the caller made — below the body). ValidationError names the field that stops it."""
    problems = {name: [p] for name, value in (("subject", subject), ("body", body)) if (p := text_problem(value))}
    if problems:
        raise ValidationError(problems)
    if not (contact.email or "").strip():
        raise ValidationError({"contact": [_("This contact has no e-mail address.")]})
    values = merge_values(contact, Entity.CONTACT)
    subject = " ".join(render(subject, values).split())
    text = render(body, values)
    if attach_as == AS_LINK:
        if not link:
            raise ValidationError({"attach_as": [_("The share link could not be made.")]})
        text = f"{text.rstrip()}\n\n{item.title}: {link}\n"
    # The rep's name on the workspace's sender (its verified domain, or the platform's address).
    try:
        sender = sender_for(MarketingEmail(from_name=by.display_name))
    except ValidationError as error:  # the workspace's sender needs a verified domain: say so on the form
        raise ValidationError(error.messages) from error
    message = EmailMessage(
        subject=subject, body=text, from_email=sender, to=[contact.email], reply_to=[by.email],
        headers={"Message-ID": make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)},
        connection=outgoing_connection(),
    )  # fmt: skip
    if attach_as == AS_FILE:
        message.attach(*attach_collateral(item))
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        raise ValidationError({"contact": [_("The mail server did not take the message: %(error)s") % {
            "error": str(error)[:200]}]}) from error  # fmt: skip
    with transaction.atomic():
        record_entry(
            TimelineKind.COLLATERAL_SENT,
            actor=by,
            data={"item": item.pk, "title": item.title, "subject": subject, "as": attach_as},
            contact_id=contact.pk,
        )
    return message
