"""The provider's callbacks on the tenant's host: an inbound call, a call's status, an SMS's
delivery status. No session: each request must carry the provider's signature made with this
workspace's auth token over the exact URL and parameters (``X-Twilio-Signature``); a forged request,
or one signed for another workspace, is a 403 and changes nothing. Without the service module, or
without telephony set up, the callbacks are not there (404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from modules.registry import is_enabled
from modules.service.contact_centre.models import TelephonySettings
from modules.service.contact_centre.providers import provider_for
from modules.service.contact_centre.services.accounts import configured_settings
from modules.service.contact_centre.services.calls import receive_inbound, record_answer, record_status
from modules.service.contact_centre.services.sms import record_sms_status

View = Callable[..., HttpResponse]
# Twilio's callbacks carry a few dozen short parameters; more is no callback of theirs.
MAX_PARAMS = 100


def provider_callback(view: View) -> View:
    @wraps(view)
    @csrf_exempt
    @require_POST
    def wrapped(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if not is_enabled(getattr(request, "tenant", None), "service"):
            raise Http404
        account = configured_settings()
        if account is None:
            raise Http404
        params = {key: request.POST.get(key, "") for key in request.POST}
        if len(params) > MAX_PARAMS or any("\x00" in value for value in params.values()):
            return HttpResponse(status=400)
        signature = request.headers.get("X-Twilio-Signature", "")
        url = request.build_absolute_uri()
        if not provider_for(account).is_valid_request(url=url, params=params, signature_header=signature):
            return HttpResponseForbidden()
        return view(request, account, params, **kwargs)

    return wrapped


@provider_callback
def voice_inbound(request: HttpRequest, account: TelephonySettings, params: dict[str, Any]) -> HttpResponse:
    _call, agents = receive_inbound(params, tenant=getattr(request, "tenant", None))
    answered = "contact-centre-hooks:voice-answered"
    targets = [
        (agent.agent_phone.number, request.build_absolute_uri(reverse(answered, args=[agent.pk]))) for agent in agents
    ]
    body, content_type = provider_for(account).ring_agents(
        targets, caller_id=params.get("From", ""), status_callback=request.build_absolute_uri()
    )
    return HttpResponse(body, content_type=content_type)


@provider_callback
def voice_answered(
    request: HttpRequest, account: TelephonySettings, params: dict[str, Any], agent: int
) -> HttpResponse:
    """An agent's phone answered an inbound call: they are the call's agent."""
    record_answer(params, agent_id=agent)
    body, content_type = provider_for(account).connect_answered()
    return HttpResponse(body, content_type=content_type)


@provider_callback
def voice_status(request: HttpRequest, account: TelephonySettings, params: dict[str, Any]) -> HttpResponse:
    record_status(params)
    return HttpResponse(status=204)


@provider_callback
def sms_status(request: HttpRequest, account: TelephonySettings, params: dict[str, Any]) -> HttpResponse:
    record_sms_status(params)
    return HttpResponse(status=204)
