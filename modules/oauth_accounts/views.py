"""The authorization-code flow with PKCE (RFC 7636) and ``state``, run on the tenant's own host.

Connecting (a POST from Settings → Mailboxes or Calendar sync) keeps a random ``state`` and a PKCE
verifier in the user's session and sends the browser to the provider; the provider sends it back
to the callback on the same host (directly, or through the public host's relay: ``relay.py``),
which accepts only a ``state`` this session started (by this
user, within ``FLOW_SECONDS``), exchanges the code with the verifier, reads the account's address
and hands the account to the purpose the flow was started for. Only users who may connect a
mailbox (``activities.change``) run it."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from identity.decorators import permission_required, signed_in_user
from modules.oauth_accounts import relay
from modules.oauth_accounts.providers import get_provider
from modules.oauth_accounts.purposes import get_purpose
from modules.oauth_accounts.services.accounts import connect_account
from modules.oauth_accounts.services.tokens import OAuthError, exchange_code

PERMISSION = "activities.change"
SESSION_KEY = "oauth_flows"
FLOW_SECONDS = 15 * 60
MAX_FLOWS = 5
MAX_PARAMETER = 4096


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _redirect_uri(request: HttpRequest) -> str:
    return relay.redirect_uri(request)


def _bad(field: str, message: str) -> HttpResponse:
    return HttpResponseBadRequest(f"{escape(field)}: {escape(message)}", content_type="text/plain; charset=utf-8")


@require_POST
@permission_required(PERMISSION)
def connect(request: HttpRequest, provider: str) -> HttpResponse:
    found = get_provider(provider)
    if found is None or not found.enabled:
        raise Http404
    purpose = get_purpose(str(request.POST.get("purpose", "")))
    if purpose is None:
        return _bad("purpose", _("Choose what the account is connected for."))
    state = relay.new_state(request)
    verifier = secrets.token_urlsafe(64)
    flows: dict[str, Any] = {
        key: flow
        for key, flow in dict(request.session.get(SESSION_KEY, {})).items()
        if time.time() - float(flow.get("started", 0)) < FLOW_SECONDS
    }
    flows = dict(sorted(flows.items(), key=lambda item: item[1]["started"])[-(MAX_FLOWS - 1) :])
    flows[state] = {
        "provider": found.name,
        "purpose": purpose.name,
        "verifier": verifier,
        "user": signed_in_user(request).pk,
        "started": time.time(),
    }
    request.session[SESSION_KEY] = flows
    query = {
        "client_id": found.client_id,
        "response_type": "code",
        "redirect_uri": _redirect_uri(request),
        "scope": " ".join(found.scopes),
        "state": state,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        **found.authorize_params,
    }
    return HttpResponseRedirect(f"{found.endpoint('authorize_url')}?{urlencode(query)}")


@require_GET
@permission_required(PERMISSION)
def callback(request: HttpRequest) -> HttpResponse:
    state = str(request.GET.get("state", ""))
    if not state or len(state) > MAX_PARAMETER:
        return _bad("state", _("The sign-in answer carries no valid state."))
    flows = dict(request.session.get(SESSION_KEY, {}))
    flow = flows.pop(state, None)
    request.session[SESSION_KEY] = flows  # a state is used once
    user = signed_in_user(request)
    if flow is None or flow.get("user") != user.pk or time.time() - float(flow.get("started", 0)) >= FLOW_SECONDS:
        return _bad("state", _("This sign-in was not started here or has expired: connect again."))
    provider = get_provider(str(flow["provider"]))
    purpose = get_purpose(str(flow["purpose"]))
    if provider is None or purpose is None or not provider.enabled:
        raise Http404
    error = str(request.GET.get("error", ""))[:100]
    if error:
        messages.error(
            request,
            _("%(provider)s did not grant access (%(error)s).") % {"provider": provider.label, "error": error},
        )
        return HttpResponseRedirect(purpose.back_url())
    code = str(request.GET.get("code", ""))
    if not code or len(code) > MAX_PARAMETER or "\x00" in code:
        return _bad("code", _("The sign-in answer carries no valid code."))
    try:
        answer = exchange_code(provider, code=code, redirect_uri=_redirect_uri(request), code_verifier=flow["verifier"])
        email = provider.read_email(answer)
        account = connect_account(user=user, provider=provider, email=email, answer=answer)
        target = purpose.complete(account)
    except OAuthError as failure:
        messages.error(request, str(failure))
        return HttpResponseRedirect(purpose.back_url())
    messages.success(request, _("%(email)s is connected.") % {"email": account.email})
    return HttpResponseRedirect(target)
