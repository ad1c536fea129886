"""Provider tracking webhooks on the tenant's host: ``/marketing/webhooks/postmark/`` (Postmark
calls it with basic auth) and ``…/mailgun/`` (Mailgun signs each call with the signing key). The
secrets are the workspace's own (Settings → Delivery, stored encrypted). A tenant without the
marketing module or without that provider's secret answers 404; a call without the right
credentials or signature is refused with a 400 by anymail's validation and records nothing."""

from __future__ import annotations

import logging
from typing import Any

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from core.encryption import UnreadableSecret, decrypt
from modules.marketing.delivery.models import DeliverySettings
from modules.registry import is_enabled

logger = logging.getLogger(__name__)


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


def _refused() -> JsonResponse:
    return JsonResponse(
        {"errors": {"authorization": ["The webhook's credentials or signature are wrong."]}}, status=400
    )


def _bad_body() -> JsonResponse:
    return JsonResponse({"errors": {"body": ["The body is not a tracking event of this provider."]}}, status=400)


class PostmarkTracking(PostmarkTrackingWebhookView):
    warn_if_no_basic_auth = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        config = _settings(request)
        if not config.postmark_webhook_user:
            raise Http404
        self.basic_auth = [f"{config.postmark_webhook_user}:{_secret(config.postmark_webhook_password)}"]
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]
        except AnymailWebhookValidationFailure:
            return _refused()
        except (KeyError, ValueError, TypeError, AttributeError, IndexError):
            return _bad_body()


class MailgunTracking(MailgunTrackingWebhookView):
    def __init__(self, **kwargs: Any) -> None:
        # The key is the tenant's, set per request; anymail's constructor wants one to exist.
        super().__init__(webhook_signing_key="unset", **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        config = _settings(request)
        self.webhook_signing_key = _secret(config.mailgun_signing_key).encode("ascii", "replace")
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]
        except AnymailWebhookValidationFailure:
            return _refused()
        except (KeyError, ValueError, TypeError, AttributeError, IndexError):
            return _bad_body()


TRACKING_VIEWS = (PostmarkTracking, MailgunTracking)
