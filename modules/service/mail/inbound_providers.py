"""Inbound e-mail from the providers django-anymail reads inbound webhooks of, at
``/service/mail/inbound/<token>/<provider>/``. The token finds the support address (as for raw
messages); each provider's own check must then pass with the address's keys, not the platform's
anymail settings (each workspace has its own provider account):

- HTTP basic auth (Brevo, Mailjet, Postmark, SendGrid, SparkPost; Amazon SES in ``amazon_ses.py``):
  the credential is derived from the URL's token (``basic_auth_credential``) and shown with the URL.
  A call without credentials is answered 401 with a challenge (SNS sends them only after one).
- A signature with the provider's key (``inbound_signing_key``): Mailgun (HMAC-SHA256 of timestamp
  and token), Mandrill (HMAC-SHA1 of the URL and the sorted form fields), MailerSend and Mailtrap
  (HMAC-SHA256 of the body), Resend (Svix: HMAC-SHA256 of id, timestamp and body, five minutes'
  tolerance), Postal (RSA-SHA1 with its public key). No key stored: refused.

A failed check is a 403 naming ``signature`` (401 for missing credentials) and writes nothing.
Resend and Mailtrap send a reference and Brevo its attachments by reference: they are fetched from
the provider's API (``SERVICE_MAIL_PROVIDER_API_URLS``) with the address's ``inbound_api_key``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from typing import Any, ClassVar

import requests
from anymail.exceptions import AnymailConfigurationError, AnymailError, AnymailWebhookValidationFailure
from anymail.signals import EventType
from anymail.utils import DEFAULT_DOWNLOAD_CHUNK_SIZE
from anymail.webhooks.base import AnymailCoreWebhookView
from anymail.webhooks.brevo import BrevoInboundWebhookView
from anymail.webhooks.mailersend import MailerSendInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.mailtrap import MailtrapInboundWebhookView
from anymail.webhooks.mandrill import MandrillCombinedWebhookView
from anymail.webhooks.postal import PostalInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.resend import ResendInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from modules.service.mail.services.addresses import api_key, basic_auth_credential, signing_key
from modules.service.mail.services.intake import receive
from modules.service.mail.webhook import accepted, bad, support_address

logger = logging.getLogger(__name__)

BASIC = "basic"
SIGNED = "signed"
PARSE_ERRORS = (
    AnymailError,
    AnymailConfigurationError,
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    IndexError,
    UnicodeDecodeError,
)
SVIX_TOLERANCE_SECONDS = 5 * 60


def challenge(realm: str = "Relata inbound e-mail") -> HttpResponse:
    response = JsonResponse({"errors": {"authorization": [_("This URL needs the credentials shown with it.")]}},
                            status=401)  # fmt: skip
    response["WWW-Authenticate"] = f'Basic realm="{realm}"'
    return response


def refused() -> JsonResponse:
    return bad("signature", _("The call is not signed or authenticated by this address's provider."), status=403)


class TenantInbound(AnymailCoreWebhookView):
    """The support address's own keys instead of anymail's settings: the parent's ``__init__``
    (which reads settings and warns) is skipped; ``configure`` sets what its checks and parser read."""

    slug: ClassVar[str] = ""
    auth: ClassVar[str] = BASIC
    needs_api_key: ClassVar[bool] = False
    warn_if_no_basic_auth = False

    def __init__(self, **kwargs: Any) -> None:
        AnymailCoreWebhookView.__init__(self, **kwargs)
        self.basic_auth: list[str] = []
        self.chunk_size = DEFAULT_DOWNLOAD_CHUNK_SIZE

    def configure(self, key: str) -> None:
        """Hand the address's signing key to the provider's check."""

    def provider_api_url(self) -> str:
        url = str(settings.SERVICE_MAIL_PROVIDER_API_URLS[self.slug])
        return url if url.endswith("/") else url + "/"

    @method_decorator(csrf_exempt)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.support_address = support_address(request, kwargs["token"])
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        address = self.support_address
        if self.auth == BASIC:
            if not request.META.get("HTTP_AUTHORIZATION"):
                return challenge()
            self.basic_auth = [basic_auth_credential(kwargs["token"])]
        else:
            key = signing_key(address)
            if not key:
                return refused()
            self.configure(key)
        try:
            self.run_validators(request)
        except (AnymailWebhookValidationFailure, *PARSE_ERRORS) as error:
            logger.info("inbound webhook call refused (%s): %s", self.slug, type(error).__name__)
            return refused()
        try:
            events = self.parse_events(request)
        except requests.RequestException as error:
            logger.warning("inbound webhook (%s): the provider's API failed: %s", self.slug, type(error).__name__)
            return bad("body", _("The message could not be fetched from the provider; try again later."), status=502)
        except PARSE_ERRORS as error:
            logger.info("inbound webhook payload refused (%s): %s", self.slug, type(error).__name__)
            return bad("body", _("The body is not an inbound message of this provider."))
        messages = [event.message for event in events if event is not None and event.message is not None
                    and event.event_type == EventType.INBOUND]  # fmt: skip
        if not messages:
            return bad("body", _("The body is not an inbound message of this provider."))
        outcomes = [receive(address, message.as_bytes()).outcome for message in messages]
        return accepted(outcomes[0] if len(outcomes) == 1 else ",".join(outcomes))


class ApiFetching(TenantInbound):
    needs_api_key = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.api_key = self.api_token = api_key(self.support_address)
        self.api_url = self.provider_api_url()
        return super().post(request, *args, **kwargs)


class BrevoInbound(ApiFetching, BrevoInboundWebhookView):
    slug = "brevo"


class MailjetInbound(TenantInbound, MailjetInboundWebhookView):
    slug = "mailjet"


class PostmarkInbound(TenantInbound, PostmarkInboundWebhookView):
    slug = "postmark"


class SendGridInbound(TenantInbound, SendGridInboundWebhookView):
    slug = "sendgrid"


class SparkPostInbound(TenantInbound, SparkPostInboundWebhookView):
    slug = "sparkpost"


class MailgunInbound(TenantInbound, MailgunInboundWebhookView):
    slug = "mailgun"
    auth = SIGNED

    def configure(self, key: str) -> None:
        self.webhook_signing_key = key.encode()


class MandrillInbound(TenantInbound, MandrillCombinedWebhookView):
    slug = "mandrill"
    auth = SIGNED

    def configure(self, key: str) -> None:
        self.webhook_key = key.encode()
        self.webhook_url = None  # the URL as called, which Mandrill signed


class MailerSendInbound(TenantInbound, MailerSendInboundWebhookView):
    slug = "mailersend"
    auth = SIGNED

    def configure(self, key: str) -> None:
        self.signing_secret = key.encode()
        self._secret_setting_name = "inbound_signing_key"  # noqa: S105  # a name in anymail's messages


class MailtrapInbound(ApiFetching, MailtrapInboundWebhookView):
    slug = "mailtrap"
    auth = SIGNED

    def configure(self, key: str) -> None:
        self.signing_secret = key.encode()
        self._secret_setting_name = "inbound_signing_key"  # noqa: S105  # a name in anymail's messages


class PostalInbound(TenantInbound, PostalInboundWebhookView):
    slug = "postal"
    auth = SIGNED

    def configure(self, key: str) -> None:
        # Postal shows the key's base64 body; a pasted PEM works too.
        lines = [line for line in key.strip().splitlines() if line and not line.startswith("-----")]
        self.webhook_key = "".join(lines)


def svix_verify(secret: str, request: HttpRequest) -> None:
    """Svix's documented scheme: ``v1,`` base64 HMAC-SHA256 under the secret's base64 body of
    ``{svix-id}.{svix-timestamp}.{body}``, the timestamp within five minutes."""
    headers = request.headers
    try:
        message_id, stamp, signatures = headers["svix-id"], int(headers["svix-timestamp"]), headers["svix-signature"]
        key = base64.b64decode(secret.removeprefix("whsec_"))
    except (KeyError, ValueError) as error:
        raise AnymailWebhookValidationFailure("Svix headers missing or malformed") from error
    if abs(time.time() - stamp) > SVIX_TOLERANCE_SECONDS:
        raise AnymailWebhookValidationFailure("Svix timestamp too old or in the future")
    signed = f"{message_id}.{stamp}.".encode() + request.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [part.split(",", 1)[1] for part in signatures.split() if part.startswith("v1,")]
    if not any(constant_time_compare(expected, candidate) for candidate in offered):
        raise AnymailWebhookValidationFailure("Svix signature does not match")


class ResendInbound(ApiFetching, ResendInboundWebhookView):
    slug = "resend"
    auth = SIGNED
    _svix_webhook = None  # anymail's check needs the svix SDK: ``validate_request`` below does it

    def configure(self, key: str) -> None:
        self.svix_secret = key

    def validate_request(self, request: HttpRequest) -> None:
        svix_verify(self.svix_secret, request)


PROVIDERS: dict[str, type[TenantInbound]] = {
    view.slug: view
    for view in (
        BrevoInbound, MailerSendInbound, MailgunInbound, MailjetInbound, MailtrapInbound, MandrillInbound,
        PostalInbound, PostmarkInbound, ResendInbound, SendGridInbound, SparkPostInbound,
    )
}  # fmt: skip

# (URL name, what the settings page calls it, whether the URL carries the basic-auth credential)
PROVIDER_NAMES = (
    ("amazon-ses", "Amazon SES (SNS)", True),
    ("brevo", "Brevo (Sendinblue)", True),
    ("mailersend", "MailerSend", False),
    ("mailgun", "Mailgun", False),
    ("mailjet", "Mailjet", True),
    ("mailtrap", "Mailtrap", False),
    ("mandrill", "Mandrill", False),
    ("postal", "Postal", False),
    ("postmark", "Postmark", True),
    ("resend", "Resend", False),
    ("sendgrid", "SendGrid", True),
    ("sparkpost", "SparkPost", True),
)
