"""The link rule of the APIs: ``modules.record_access`` narrowed by the credential's scopes.

REST (``api.rest.records.LinkRuleMixin``) and GraphQL (``api.graphql.link_guard``) both ask the
same ``RecordAccess`` of a request, so a link is null on both protocols for the same callers: a
module outside the plan, the role's permissions or the key's scopes, or a record outside the
role's visibility.
"""

from __future__ import annotations

from typing import Any

from api.auth.credentials import credential_of, scope_allows
from modules.record_access import RecordAccess


def api_access(request: Any) -> RecordAccess:
    """The rule for an API request (a DRF or Django request), built once per request."""
    django_request = getattr(request, "_request", request)
    access: RecordAccess | None = getattr(django_request, "_api_record_access", None)
    if access is None:
        credential = credential_of(django_request)
        access = RecordAccess(
            getattr(request, "user", None),
            getattr(django_request, "tenant", None),
            lambda module: scope_allows(credential, module, write=False),
        )
        django_request._api_record_access = access
    return access
