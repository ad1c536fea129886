"""One redirect URI for every workspace: the public host relays a provider's answer.

Microsoft and Google accept only redirect URIs registered in advance, and no wildcard, while each
workspace has its own host. With ``settings.OAUTH_CALLBACK_HOST`` set, the flow sends the
provider ``https://<that host>/oauth/callback/`` and a ``state`` that carries the starting
workspace's host, signed with the platform's secret; the public host checks the signature and
sends the browser on, query unchanged, to that workspace's own callback. Everything that makes
the flow safe stays there: the state must be one this session started, by this user, and the
code is exchanged with the PKCE verifier only that session holds. The relay reads and writes
nothing else, so a forged or altered state gets a 400 naming ``state`` and goes nowhere."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenants.models import Domain

SALT = "relata.oauth-relay"
MAX_STATE = 4096


def relay_enabled() -> bool:
    return bool(settings.OAUTH_CALLBACK_HOST)


def redirect_uri(request: HttpRequest) -> str:
    """The redirect URI the provider is given: the public relay when one is configured."""
    if relay_enabled():
        path = reverse("oauth_relay:callback", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        return f"{request.scheme}://{settings.OAUTH_CALLBACK_HOST}{path}"
    return request.build_absolute_uri(reverse("oauth_accounts:callback"))


def new_state(request: HttpRequest) -> str:
    """A fresh random state; with the relay, signed together with this workspace's host."""
    nonce = secrets.token_urlsafe(32)
    if not relay_enabled():
        return nonce
    return signing.dumps({"host": request.get_host(), "nonce": nonce}, salt=SALT, compress=False)


@require_GET
def relay_callback(request: HttpRequest) -> HttpResponse:
    state = str(request.GET.get("state", ""))
    host = ""
    if state and len(state) <= MAX_STATE and "\x00" not in state:
        try:
            host = str(signing.loads(state, salt=SALT).get("host", ""))
        except (signing.BadSignature, AttributeError):
            host = ""
    if not host or not Domain.objects.filter(domain=host.split(":")[0].lower()).exists():
        return HttpResponseBadRequest(
            f"state: {escape(_('The sign-in answer carries no valid state.'))}",
            content_type="text/plain; charset=utf-8",
        )
    query = request.GET.urlencode()
    return HttpResponseRedirect(
        f"{request.scheme}://{host}{reverse('oauth_accounts:callback', urlconf=settings.ROOT_URLCONF)}?{query}"
    )
