"""Following a signup from the browser that made it: the progress token, what the page shows, and the
one-time sign-in on the new workspace.

The progress page's address carries a signed token of the tenant id; the signing-up browser's
session remembers that tenant, and both must agree: someone else holding the address sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _

from billing.choices import SubscriptionStatus
from billing.models import Subscription
from identity.services.login_handoff import Handoff, handoff_path, issue_handoff
from tenants.choices import ProvisioningState
from tenants.models import Tenant

PROGRESS_SALT = "crm_platform.signup.progress"
TOKEN_MAX_AGE = 60 * 60 * 24
# {str(tenant id): {"email": str, "handoff_issued": bool, "checkout_queued": bool}}
SESSION_KEY = "signup:progress"
STEP_ORDER = (
    ProvisioningState.REQUESTED,
    ProvisioningState.SCHEMA_READY,
    ProvisioningState.SEEDED,
    ProvisioningState.ACTIVE,
)


def progress_token(tenant: Tenant) -> str:
    return signing.dumps(tenant.pk, salt=PROGRESS_SALT)


def remember_signup(session: SessionBase, tenant: Tenant, *, checkout_queued: bool = False) -> None:
    """``checkout_queued``: the payment page could not be opened yet; its link will be e-mailed."""
    signups = dict(session.get(SESSION_KEY, {}))
    signups[str(tenant.pk)] = {
        "email": tenant.pending_admin_email,
        "handoff_issued": False,
        "checkout_queued": checkout_queued,
    }
    session[SESSION_KEY] = signups


def signup_of_session(session: SessionBase, token: str) -> tuple[Tenant, dict[str, Any]] | None:
    """The tenant and session entry of ``token``, if the token is genuine and this session signed up."""
    try:
        tenant_id = signing.loads(token, salt=PROGRESS_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    entry = session.get(SESSION_KEY, {}).get(str(tenant_id))
    if not isinstance(entry, dict):
        return None
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    return None if tenant is None else (tenant, entry)


def mark_handoff_issued(session: SessionBase, tenant: Tenant) -> None:
    signups = dict(session.get(SESSION_KEY, {}))
    signups[str(tenant.pk)] = {**signups[str(tenant.pk)], "handoff_issued": True}
    session[SESSION_KEY] = signups


def tenant_url(request: HttpRequest, tenant: Tenant, path: str = "/") -> str:
    """``path`` on the tenant's host, with the scheme and port the visitor reached us on."""
    port = str(request.get_port())
    default_port = "443" if request.scheme == "https" else "80"
    suffix = "" if port == default_port else f":{port}"
    return f"{request.scheme}://{tenant.primary_host}{suffix}{path}"


def handoff_url(request: HttpRequest, tenant: Tenant, email: str) -> str:
    token = issue_handoff(Handoff(schema_name=tenant.schema_name, email=email))
    return tenant_url(request, tenant, handoff_path(token))


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    current: bool


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    percent: int
    ready: bool
    failed: bool
    awaiting_payment: bool


def step_label(state: str) -> str:
    return {
        ProvisioningState.REQUESTED: _("Request received"),
        ProvisioningState.SCHEMA_READY: _("Database ready"),
        ProvisioningState.SEEDED: _("Starting data added"),
        ProvisioningState.ACTIVE: _("Workspace ready"),
    }[ProvisioningState(state)]


def progress_of(tenant: Tenant) -> Progress:
    reached = STEP_ORDER.index(ProvisioningState(tenant.provisioning_state))
    ready = tenant.provisioning_state == ProvisioningState.ACTIVE
    subscription = Subscription.objects.filter(tenant=tenant).only("status").first()
    # A card is asked first: nothing is built before the provider confirms the payment details.
    awaiting_payment = (
        subscription is not None
        and subscription.status == SubscriptionStatus.INCOMPLETE
        and tenant.provisioning_state == ProvisioningState.REQUESTED
        and tenant.provisioning_attempts == 0
    )
    return Progress(
        steps=[
            Step(label=step_label(state), done=index <= reached, current=index == reached + 1)
            for index, state in enumerate(STEP_ORDER)
        ],
        percent=tenant.provisioning_progress,
        ready=ready,
        failed=bool(tenant.provisioning_error) and not ready,
        awaiting_payment=awaiting_payment,
    )
