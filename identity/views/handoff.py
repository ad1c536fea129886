"""Landing on a tenant host signed in, from a handoff the public host issued (signup, support)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from identity.client_address import client_address
from identity.models import AuditEntry, User
from identity.services.audit import record_audit
from identity.services.login_handoff import HandoffInvalid, redeem_handoff

# Session key of a support impersonation: {"operator", "reason", "expires_at" (ISO 8601), "user"}.
IMPERSONATION_SESSION_KEY = "identity:impersonation"


@never_cache
def login_handoff(request: HttpRequest, token: str) -> HttpResponse:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == "public":
        raise Http404
    try:
        handoff = redeem_handoff(token, schema_name=tenant.schema_name)
        user = User.objects.filter(email=handoff.email, is_active=True).first()
        if user is None:
            raise HandoffInvalid(_("The account of this sign-in link no longer exists."))
    except HandoffInvalid as error:
        return render(
            request,
            "identity/handoff_invalid.html",
            {"message": str(error)},
            status=400,
        )
    logout(request)
    login(request, user, backend="identity.backends.EmailBackend")
    if handoff.impersonator:
        expires_at = timezone.now() + timedelta(minutes=handoff.minutes)
        request.session[IMPERSONATION_SESSION_KEY] = {
            "operator": handoff.impersonator,
            "reason": handoff.reason,
            "expires_at": expires_at.isoformat(),
            "user": user.email,
        }
        record_audit(
            "impersonation.started",
            ngettext(
                "Support (%(operator)s) signed in as %(user)s for %(minutes)d minute: %(reason)s",
                "Support (%(operator)s) signed in as %(user)s for %(minutes)d minutes: %(reason)s",
                handoff.minutes,
            )
            % {
                "operator": handoff.impersonator,
                "user": user.email,
                "minutes": handoff.minutes,
                "reason": handoff.reason,
            },
            actor=handoff.impersonator,
            actor_kind=AuditEntry.ActorKind.OPERATOR,
            target=f"user:{user.email}",
            details={"reason": handoff.reason, "minutes": handoff.minutes, "expires_at": expires_at.isoformat()},
            ip_address=client_address(request),
        )
    return redirect("shell:home")
