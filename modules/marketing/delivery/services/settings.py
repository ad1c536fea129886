"""The workspace's delivery settings: the only writer, auditing every change (never the secrets)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.encryption import encrypt
from identity.models import User
from identity.services.audit import audit
from modules.marketing.delivery.models import DeliverySettings
from modules.marketing.delivery.services import limits
from modules.marketing.delivery.webhook_keys import key_body, sendgrid_public_key


def update_delivery_settings(
    *,
    by: User | None,
    messages_per_minute: int,
    max_concurrency: int,
    webhook_user: str,
    webhook_password: str = "",
    mailgun_signing_key: str = "",
    sendgrid_verification_key: str | None = None,
    remove_webhook_password: bool = False,
    remove_mailgun_signing_key: bool = False,
) -> DeliverySettings:
    """Blank secrets keep the stored ones, ``remove_…`` deletes them (a new value and its removal
    together are refused, naming the field); ``sendgrid_verification_key`` (a public key) is
    replaced when given, "" removes it."""
    both = _("Either give a new value or remove the stored one.")
    if webhook_password and remove_webhook_password:
        raise ValidationError({"webhook_password": [both]})
    if mailgun_signing_key and remove_mailgun_signing_key:
        raise ValidationError({"mailgun_signing_key": [both]})
    if sendgrid_verification_key and sendgrid_public_key(sendgrid_verification_key) is None:
        raise ValidationError(
            {
                "sendgrid_verification_key": [
                    _("Paste the verification key SendGrid shows for its signed event webhook.")
                ]
            }
        )
    if ":" in webhook_user:
        raise ValidationError({"webhook_user": [_("The user cannot contain a colon.")]})
    with transaction.atomic():
        config = DeliverySettings.objects.select_for_update().first() or DeliverySettings()
        config.messages_per_minute = messages_per_minute
        config.max_concurrency = max_concurrency
        config.webhook_user = webhook_user.strip()
        changed_secrets = []
        if webhook_password:
            config.webhook_password = encrypt(webhook_password)
            changed_secrets.append("webhook_password")
        elif remove_webhook_password and config.webhook_password:
            config.webhook_password = ""
            changed_secrets.append("webhook_password")
        if mailgun_signing_key:
            config.mailgun_signing_key = encrypt(mailgun_signing_key.strip())
            changed_secrets.append("mailgun_signing_key")
        elif remove_mailgun_signing_key and config.mailgun_signing_key:
            config.mailgun_signing_key = ""
            changed_secrets.append("mailgun_signing_key")
        if sendgrid_verification_key is not None:
            config.sendgrid_verification_key = key_body(sendgrid_verification_key)
        config.full_clean()
        config.save()
        audit(
            "marketing_delivery.settings",
            _("Marketing delivery settings changed"),
            by=by,
            details={
                "messages_per_minute": messages_per_minute,
                "max_concurrency": max_concurrency,
                "webhook_user": config.webhook_user,
                "sendgrid_verification_key": bool(config.sendgrid_verification_key),
                "secrets_changed": changed_secrets,
            },
        )
        schema = str(getattr(connection, "schema_name", ""))
        transaction.on_commit(lambda: limits.forget_limits(schema))
    return config
