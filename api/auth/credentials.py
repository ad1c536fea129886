"""The credential behind an API request and the module scopes it carries.

``ApiCredentialMiddleware`` sets ``request.api_credential`` on every /api/ and /graphql/ request
that authenticated (a browser session, an API key or an OAuth2 token). Rate limits and
idempotency key their state by ``credential.id``; permission checks ask ``scope_allows``: the
user's own permissions still apply, a key or token can only narrow them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from modules.registry import MODULES


class CredentialKind(StrEnum):
    SESSION = "session"
    API_KEY = "api_key"
    OAUTH2 = "oauth2"


@dataclass(frozen=True)
class ApiCredential:
    kind: CredentialKind
    # Stable and unique within the tenant: "user:<pk>", "key:<pk>", "oauth2:<application pk>".
    id: str
    # None: everything the user may do (a browser session); otherwise scope codes like "contacts:read".
    scopes: frozenset[str] | None
    label: str = ""


def scope_code(module: str, *, write: bool) -> str:
    return f"{module}:{'write' if write else 'read'}"


def scope_catalogue() -> dict[str, str | Promise]:
    """Every scope a key or OAuth2 application may hold, with its label: read and write per module."""
    catalogue: dict[str, str | Promise] = {}
    for module in MODULES:
        catalogue[scope_code(module.key, write=False)] = _("%(module)s: read") % {"module": module.label}
        catalogue[scope_code(module.key, write=True)] = _("%(module)s: create, edit and delete") % {
            "module": module.label
        }
    return catalogue


def credential_of(request: Any) -> ApiCredential | None:
    """The credential of a Django or DRF request, None when it did not authenticate."""
    django_request = getattr(request, "_request", request)
    return getattr(django_request, "api_credential", None)


def scope_allows(credential: ApiCredential | None, module: str, *, write: bool) -> bool:
    """Whether the credential's scopes cover reading (or writing) ``module``. Write implies read."""
    if credential is None or credential.scopes is None:
        return True
    if scope_code(module, write=True) in credential.scopes:
        return True
    return not write and scope_code(module, write=False) in credential.scopes


def missing_scope_message(module: str, *, write: bool) -> str:
    return str(_("This credential lacks the %(scope)s scope.") % {"scope": scope_code(module, write=write)})


def code_allowed(credential: ApiCredential | None, permission_code: str) -> bool:
    """Whether the credential's scopes cover a permission code such as ``sales.change``.

    Module permissions map to the module's scopes (``view`` reads, anything else writes); other
    permissions (``settings.*``) have no scope, so only a browser session may use them."""
    if credential is None or credential.scopes is None:
        return True
    module, _dot, action = permission_code.partition(".")
    if module not in {entry.key for entry in MODULES}:
        return False
    return scope_allows(credential, module, write=action != "view")
