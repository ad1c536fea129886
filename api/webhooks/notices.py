"""Telling the tenant's admins that the platform disabled one of their endpoints."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from api.webhooks.models import WebhookEndpoint
from identity.models import User
from identity.services.accounts import users_with_permission

logger = logging.getLogger(__name__)
PERMISSION = "settings.manage_integrations"


def admins() -> list[User]:
    """Active users whose role may manage webhooks."""
    return users_with_permission(PERMISSION)


def send_disabled_notice(endpoint_id: int) -> int:
    """E-mail each admin (in their language) why the endpoint was disabled; returns how many."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, is_enabled=False).first()
    if endpoint is None:
        return 0
    tenant = getattr(connection, "tenant", None)
    host = getattr(tenant, "primary_host", "")
    default_language = getattr(tenant, "locale", "") or settings.LANGUAGE_CODE
    sent = 0
    for admin in admins():
        with translation.override(admin.locale or default_language):
            context = {
                "endpoint": endpoint,
                "reason": endpoint.get_disabled_reason_display(),
                "host": host,
                "admin": admin,
            }
            EmailMessage(
                subject=_("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url[:80]},
                body=render_to_string("webhooks/email/endpoint_disabled.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[admin.email],
            ).send(fail_silently=False)
        sent += 1
    logger.info("endpoint %s disabled (%s); %s admins told", endpoint.pk, endpoint.disabled_reason, sent)
    return sent
