"""Identity tasks. They run in the schema of the tenant that queued them (tenant-schemas-celery)."""

import logging

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.mail_retry import mail_task_options
from identity.models import Invitation, User

logger = logging.getLogger(__name__)


@shared_task(**mail_task_options())
def send_invitation_email(invitation_id: int, link: str) -> bool:
    """E-mail an invitation's link; a no-op if the invitation is gone or no longer open.

    Looked up in the current tenant's schema only: an id from another tenant finds nothing.
    """
    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open:
        logger.info("invitation %s is not open here; nothing sent", invitation_id)
        return False
    context = {"invitation": invitation, "link": link, "inviter": invitation.invited_by}
    send_mail(
        subject=_("You are invited to join Relata"),
        message=render_to_string("identity/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True


@shared_task(**mail_task_options())
def send_email_change_confirmation(user_id: int, new_email: str, link: str) -> bool:
    """E-mail the confirmation link to the address the user wants to sign in with."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    send_mail(
        subject=_("Confirm your new e-mail address for Relata"),
        message=render_to_string("identity/email/email_change.txt", {"user": user, "link": link}),
        from_email=None,
        recipient_list=[new_email],
    )
    return True


@shared_task(**mail_task_options())
def send_password_reset_email(subject: str, body: str, to_email: str) -> bool:
    """Send a password-reset mail the request rendered (its link is good for two hours)."""
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[to_email])
    return True
