"""Where the tenant's marketing e-mail leaves from: ``outgoing_connection()`` is a Django e-mail
connection for the tenant's choice (the platform's mail, its SMTP server, or an e-mail service
through django-anymail, whose backends take their settings as keyword arguments), and
``sender_for(email)`` the From address, refused unless its domain is verified (the platform's
own mail excepted: it sends from the platform's domain on the tenant's behalf)."""

from __future__ import annotations

from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.translation import gettext as _

from core.encryption import decrypt
from core.mail_catch import connection as get_connection
from modules.marketing.email.choices import Provider, SendingMethod, SmtpSecurity
from modules.marketing.email.models import SendingDomain, SendingSettings
from modules.marketing.email.services.settings import current_settings
from modules.marketing.models import MarketingEmail

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_TIMEOUT = 30
MAILGUN_EU_API = "https://api.eu.mailgun.net/v3"
BACKENDS = {
    Provider.AMAZON_SES: "anymail.backends.amazon_ses.EmailBackend",
    Provider.MAILGUN: "anymail.backends.mailgun.EmailBackend",
    Provider.POSTMARK: "anymail.backends.postmark.EmailBackend",
    Provider.SENDGRID: "anymail.backends.sendgrid.EmailBackend",
    Provider.BREVO: "anymail.backends.brevo.EmailBackend",
    Provider.MAILJET: "anymail.backends.mailjet.EmailBackend",
}


class SenderRefused(ValidationError):
    """The e-mail's From address may not be used (its domain is not verified)."""


def service_options(row: SendingSettings) -> dict[str, Any]:
    """The anymail backend's keyword arguments for the configured service."""
    key = decrypt(row.api_key)
    if row.provider == Provider.AMAZON_SES:
        return {
            "session_params": {
                "aws_access_key_id": key, "aws_secret_access_key": decrypt(row.api_secret), "region_name": row.region,
            },
        }  # fmt: skip
    if row.provider == Provider.MAILGUN:
        options: dict[str, Any] = {"api_key": key, "sender_domain": row.sender_domain}
        if row.region.strip().lower() == "eu":
            options["api_url"] = MAILGUN_EU_API
        return options
    if row.provider == Provider.POSTMARK:
        return {"server_token": key}
    if row.provider == Provider.MAILJET:
        return {"api_key": key, "secret_key": decrypt(row.api_secret)}
    return {"api_key": key}


def connection_for(row: SendingSettings, *, fail_silently: bool = False) -> BaseEmailBackend:
    if row.method == SendingMethod.SMTP:
        return get_connection(
            SMTP_BACKEND, fail_silently=fail_silently, host=row.smtp_host, port=row.smtp_port,
            username=row.smtp_user or None, password=decrypt(row.smtp_password) or None,
            use_tls=row.smtp_security == SmtpSecurity.STARTTLS, use_ssl=row.smtp_security == SmtpSecurity.SSL,
            timeout=SMTP_TIMEOUT,
        )  # fmt: skip
    if row.method == SendingMethod.SERVICE and row.provider in BACKENDS:
        backend = BACKENDS[Provider(row.provider)]
        return get_connection(backend, fail_silently=fail_silently, **service_options(row))
    return get_connection(fail_silently=fail_silently)


def outgoing_connection(*, fail_silently: bool = False) -> BaseEmailBackend:
    """A connection through the tenant's configured way of sending (not yet opened)."""
    return connection_for(current_settings(), fail_silently=fail_silently)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def platform_sender() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def sender_for(email: MarketingEmail) -> str:
    """The From header for ``email``: its sender (else the settings' default sender). With the
    platform's mail and no verified domain, the platform's address carries the sender's name;
    otherwise the address's domain must be a verified sending domain."""
    return _sender(current_settings(), email.from_address, email.from_name)


def default_sender() -> str:
    """The From header of the workspace's own messages to its contacts (a double opt-in's
    confirmation): the settings' default sender, under the same rule as ``sender_for``."""
    return _sender(current_settings(), "", "")


def _sender(row: SendingSettings, from_address: str, from_name: str) -> str:
    address = (from_address or row.default_from_address or "").strip()
    name = (from_name or row.default_from_name or "").strip()
    verified = (
        bool(address) and SendingDomain.objects.filter(domain=domain_of(address), verified_at__isnull=False).exists()
    )
    if verified:
        return formataddr((name, address)) if name else address
    if row.method == SendingMethod.PLATFORM:
        fallback = platform_sender()
        return formataddr((name, fallback)) if name else settings.DEFAULT_FROM_EMAIL
    raise SenderRefused(
        {
            "from_address": [
                _("%(address)s cannot be used: verify its domain on the sending-domains page first.")
                % {"address": address or _("(no sender address)")}
            ]
        }
    )
