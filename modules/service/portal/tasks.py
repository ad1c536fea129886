"""Portal e-mails. They run in the schema of the tenant that queued them (tenant-schemas-celery)."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.mail_retry import mail_task_options
from modules.service.portal.models import PortalUser


@shared_task(**mail_task_options())
def send_sign_in_link(portal_user_id: int, link: str, *, invited: bool = False) -> bool:
    """E-mail a sign-in link to an active portal user of this schema (an id of another tenant
    finds nothing here)."""
    portal_user = PortalUser.objects.select_related("contact").filter(pk=portal_user_id, is_active=True).first()
    if portal_user is None:
        return False
    tenant = getattr(connection, "tenant", None)
    workspace = getattr(tenant, "name", "")
    with translation.override(getattr(tenant, "locale", None) or translation.get_language()):
        context = {"portal_user": portal_user, "link": link, "workspace": workspace, "invited": invited}
        subject = (
            _("You are invited to the %(workspace)s customer portal")
            if invited
            else _("Your sign-in link to the %(workspace)s customer portal")
        ) % {"workspace": workspace}
        send_mail(
            subject=subject,
            message=render_to_string("service/portal/email/sign_in_link.txt", context),
            from_email=None,
            recipient_list=[portal_user.email],
        )
    return True
