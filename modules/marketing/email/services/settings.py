"""The tenant's marketing sending settings: read (created on first use) and changed. Secrets (the
SMTP password, the service's API key and secret) are encrypted at rest; a blank secret on a change
keeps the stored one. Every change is audited without the secrets."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.encryption import encrypt
from customization import outbound_http
from identity.models import User
from identity.services.audit import audit
from modules.contacts.services.records import validated
from modules.marketing.email.choices import Provider, SendingMethod
from modules.marketing.email.models import SendingSettings

FIELDS = (
    "method", "smtp_host", "smtp_port", "smtp_security", "smtp_user", "provider", "region", "sender_domain",
    "postal_address", "default_from_name", "default_from_address",
)  # fmt: skip
SECRETS = ("smtp_password", "api_key", "api_secret")
# What each e-mail service needs besides its API key.
NEEDS_SECRET = {Provider.AMAZON_SES, Provider.MAILJET}
NEEDS_REGION = {Provider.AMAZON_SES}
NEEDS_DOMAIN = {Provider.MAILGUN}


def current_settings() -> SendingSettings:
    found = SendingSettings.objects.order_by("id").first()
    return found if found is not None else SendingSettings.objects.create()


def _check(row: SendingSettings, secrets_now: dict[str, bool]) -> None:
    errors: dict[str, list[str]] = {}
    row.smtp_host = (row.smtp_host or "").strip()
    if row.method == SendingMethod.SMTP:
        if not row.smtp_host:
            errors["smtp_host"] = [_("Enter the SMTP server.")]
        elif not 1 <= int(row.smtp_port or 0) <= 65535:
            errors["smtp_port"] = [_("Enter a port between 1 and 65535.")]
        else:
            try:
                outbound_http.resolve(row.smtp_host, int(row.smtp_port))
            except outbound_http.OutboundError as error:
                errors["smtp_host"] = [str(error)]
        if row.smtp_user and not secrets_now["smtp_password"]:
            errors["smtp_password"] = [_("Enter the SMTP password.")]
    if row.method == SendingMethod.SERVICE:
        if not row.provider:
            errors["provider"] = [_("Choose the e-mail service.")]
        if not secrets_now["api_key"]:
            errors["api_key"] = [_("Enter the service's API key.")]
        if row.provider in NEEDS_SECRET and not secrets_now["api_secret"]:
            errors["api_secret"] = [_("Enter the service's secret key.")]
        if row.provider in NEEDS_REGION and not row.region.strip():
            errors["region"] = [_("Enter the service's region.")]
        if row.provider in NEEDS_DOMAIN and not row.sender_domain.strip():
            errors["sender_domain"] = [_("Enter the sending domain set up at the service.")]
    if errors:
        raise ValidationError(errors)


def update_settings(*, by: User | None, **values: Any) -> SendingSettings:
    unknown = sorted(set(values) - set(FIELDS) - set(SECRETS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    with transaction.atomic():
        row = SendingSettings.objects.select_for_update().get(pk=current_settings().pk)
        for name in FIELDS:
            if name in values:
                setattr(row, name, values[name] if values[name] is not None else "")
        new_secrets = {name: str(values.get(name) or "") for name in SECRETS}
        for name, value in new_secrets.items():
            if value and "\x00" in value:
                raise ValidationError({name: [_("Remove the control character U+0000: text cannot hold it.")]})
        _check(row, {name: bool(new_secrets[name] or getattr(row, name)) for name in SECRETS})
        validated(row, exclude=list(SECRETS))
        for name, value in new_secrets.items():
            if value:
                setattr(row, name, encrypt(value))
        row.updated_by = by
        row.save()
        summary = _("Marketing sending settings changed (%(method)s).") % {"method": row.get_method_display()}
        audit("marketing_sending.updated", summary, by=by, target=row.method)
    return row
