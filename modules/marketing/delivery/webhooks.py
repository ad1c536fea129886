"""Provider tracking webhooks on the tenant's host, ``/marketing/webhooks/<provider>/``: the events
(delivered, bounced, complained, opened, clicked, unsubscribed) of the e-mail services a workspace
may send through, read by django-anymail's tracking views with the workspace's own secrets
(Settings → Marketing delivery, stored encrypted), never the platform's anymail settings:

- Postmark, Brevo and Mailjet call with HTTP basic auth (the workspace's webhook user and password,
  written into the URL given to the provider).
- Amazon SES publishes through an SNS topic: basic auth as above (SNS sends it after a 401
  challenge), and the SNS signature checked as AWS documents it (``core.mail.sns``); a signed
  subscription confirmation is confirmed by fetching its ``SubscribeURL`` (an SNS host only).
- SendGrid: basic auth, and with a verification key stored, its signed event webhook's ECDSA
  signature of timestamp and body as well.
- Mailgun signs each call with the workspace's signing key (HMAC-SHA256).

A tenant without the marketing module or without that provider's credential answers 404; a call
with missing or wrong credentials or signature is refused with a 400 (SES without credentials: 401
with a challenge, as SNS expects) and records nothing; a body that is not the provider's events is a
400 naming ``body``. What an accepted event does is ``services/provider_events.py``."""

from __future__ import annotations

import json
import logging
from typing import Any

import requests
from anymail.exceptions import AnymailError, AnymailWebhookValidationFailure
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.base import AnymailBasicAuthMixin, AnymailCoreWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.encryption import UnreadableSecret, decrypt
from core.mail.sns import SnsRefused, confirm_subscription, verify
from modules.marketing.delivery.models import DeliverySettings
from modules.marketing.delivery.webhook_keys import sendgrid_public_key
from modules.registry import is_enabled

logger = logging.getLogger(__name__)

PARSE_ERRORS = (AnymailError, KeyError, ValueError, TypeError, AttributeError, IndexError, UnicodeDecodeError)


class NotConfirmed(Exception):
    """SNS could not be reached to confirm a subscription: the provider should try again."""


def _settings(request: HttpRequest) -> DeliverySettings:
    if not is_enabled(getattr(request, "tenant", None), "marketing"):
        raise Http404
    found = DeliverySettings.objects.first()
    if found is None:
        raise Http404
    return found


def _secret(stored: str) -> str:
    if not stored:
        raise Http404
    try:
        return decrypt(stored)
    except UnreadableSecret:
        logger.warning("a provider webhook secret cannot be read (SECRET_KEY rotated without a fallback?)")
        raise Http404 from None


def _basic_auth(config: DeliverySettings) -> list[str]:
    if not config.webhook_user:
        raise Http404
    return [f"{config.webhook_user}:{_secret(config.webhook_password)}"]


def _refused() -> JsonResponse:
    return JsonResponse(
        {"errors": {"authorization": [_("The webhook's credentials or signature are wrong.")]}}, status=400
    )


def _bad_body() -> JsonResponse:
    return JsonResponse({"errors": {"body": [_("The body is not a tracking event of this provider.")]}}, status=400)


class TenantTracking(AnymailCoreWebhookView):
    """An anymail tracking view run with the workspace's credentials: the parent's ``__init__``
    (which reads the platform's anymail settings, and for SES builds boto3 parameters) is skipped;
    ``configure`` sets, per request, what the view's own checks read."""

    warn_if_no_basic_auth = False

    def __init__(self, **kwargs: Any) -> None:
        AnymailCoreWebhookView.__init__(self, **kwargs)
        self.basic_auth: list[str] = []

    def configure(self, config: DeliverySettings) -> None:
        self.basic_auth = _basic_auth(config)

    @method_decorator(csrf_exempt)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.configure(_settings(request))
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]
        except AnymailWebhookValidationFailure as error:
            logger.info("%s tracking webhook call refused: %s", self.esp_name, error)
            return _refused()
        except NotConfirmed:
            message = _("The subscription could not be confirmed; try again later.")
            return JsonResponse({"errors": {"body": [message]}}, status=502)
        except PARSE_ERRORS as error:
            logger.info("%s tracking webhook body refused: %s", self.esp_name, type(error).__name__)
            return _bad_body()


class PostmarkTracking(TenantTracking, PostmarkTrackingWebhookView):
    pass


class BrevoTracking(TenantTracking, BrevoTrackingWebhookView):
    pass


class MailjetTracking(TenantTracking, MailjetTrackingWebhookView):
    pass


class MailgunTracking(TenantTracking, MailgunTrackingWebhookView):
    def configure(self, config: DeliverySettings) -> None:
        self.webhook_signing_key = _secret(config.mailgun_signing_key).encode("ascii", "replace")


class SendGridTracking(TenantTracking, SendGridTrackingWebhookView):
    """Basic auth when a webhook user is set; the signature when a verification key is stored;
    at least one of them."""

    tracking_webhook_verification_key = None  # anymail's as_view() wants the attribute on the class

    def configure(self, config: DeliverySettings) -> None:
        key = sendgrid_public_key(config.sendgrid_verification_key) if config.sendgrid_verification_key else None
        if key is None and not config.webhook_user:
            raise Http404
        self.basic_auth = _basic_auth(config) if config.webhook_user else []
        self.webhook_verification_key = key


class AmazonSesTracking(TenantTracking, AmazonSESTrackingWebhookView):
    """SES bounce, complaint, delivery, open and click notifications through SNS (both SES's
    notification and event-publishing formats, as anymail reads them)."""

    auto_confirm_enabled = True

    def validate_request(self, request: HttpRequest) -> None:
        # Runs with anymail's checks of the SNS headers against the body. The credentials first, so
        # an unauthenticated call never makes us fetch a certificate.
        AnymailBasicAuthMixin.validate_request(self, request)
        try:
            message = json.loads(request.body)
            if not isinstance(message, dict):
                raise SnsRefused("not an SNS message")
            verify(message)
        except (SnsRefused, ValueError, UnicodeDecodeError) as error:
            raise AnymailWebhookValidationFailure(f"SNS signature refused: {error}") from error

    def auto_confirm_sns_subscription(self, sns_message: dict[str, Any]) -> None:
        # Only reached once the credentials and SNS's signature passed (validate_request).
        try:
            confirm_subscription(sns_message)
        except (SnsRefused, requests.RequestException) as error:
            logger.warning("SNS subscription of the tracking webhook not confirmed: %s", error)
            raise NotConfirmed from error


TRACKING_VIEWS = (
    PostmarkTracking,
    MailgunTracking,
    AmazonSesTracking,
    SendGridTracking,
    BrevoTracking,
    MailjetTracking,
)

# (URL slug, the provider's name as the settings page shows it, its view)
PROVIDERS = (
    ("amazon-ses", "Amazon SES (SNS)", AmazonSesTracking),
    ("brevo", "Brevo", BrevoTracking),
    ("mailgun", "Mailgun", MailgunTracking),
    ("mailjet", "Mailjet", MailjetTracking),
    ("postmark", "Postmark", PostmarkTracking),
    ("sendgrid", "SendGrid", SendGridTracking),
)


def provider_webhooks(request: HttpRequest, config: DeliverySettings) -> list[dict[str, Any]]:
    """The settings page's table: each provider's URL and whether its credential is stored."""
    base = f"{request.scheme}://{request.get_host()}/marketing/webhooks/"
    basic = bool(config.webhook_user and config.webhook_password)
    rows = []
    for slug, name, view in PROVIDERS:
        if view is MailgunTracking:
            ready = bool(config.mailgun_signing_key)
        elif view is SendGridTracking:
            ready = basic or bool(config.sendgrid_verification_key)
        else:
            ready = basic
        rows.append({"slug": slug, "name": name, "url": f"{base}{slug}/", "ready": ready})
    return rows
