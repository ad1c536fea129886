"""``Idempotency-Key`` on REST writes: a retried POST or PATCH under /api/v1/ gets the first answer.

Every POST and PATCH under /api/v1/ that carries the header (bulk endpoints included: this is a
middleware, not a per-view mixin) runs in one transaction that first claims the key for the
credential, then runs the view, then stores the response:

- a key seen before with the same request (method, path, body) replays the stored response with
  ``Idempotent-Replayed: true``; the view does not run again;
- a key seen before with another request is a 422 problem naming the header;
- an empty, too long or non-ASCII key is a 400 problem naming the header;
- a streamed response, or one marked ``Cache-Control: no-store`` (it shows a secret once, like a
  quote link's token), is not stored: the key is released, and a retry makes a new one;
- a response that says the request was not carried out because of something outside it
  (5xx, 401, 403, 408, 429) is not stored, and the transaction is rolled back, so a crash leaves
  neither the record nor half of the request's changes and the client may retry with the key;
- a concurrent request with the same key waits on the key's unique index until the first one's
  transaction ends, then replays it;
- a request to a route that does not take its method (or to no route) passes untouched, so it
  gets its 405 (or 404) whatever key it carries.

Keys belong to a credential (``credential_of(request).id``) within a tenant (records live in the
tenant's schema). Unauthenticated requests pass untouched: the view refuses them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from api.idempotency.models import IdempotencyRecord
from api.idempotency.services import claim_key, request_fingerprint, store_response
from api.rest.problems import PROBLEM_BASE
from api.throttling.middleware import credential_id

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PATCH"})
PATH_PREFIX = "/api/v1/"
MAX_KEY_LENGTH = 255
# Answers that mean "not carried out, for a reason outside the request": retrying may succeed.
NOT_STORED = frozenset({401, 403, 408, 425, 429})


def key_error(key: str) -> str | None:
    if not key:
        return _("The Idempotency-Key header must not be empty.")
    if len(key) > MAX_KEY_LENGTH:
        return _("The Idempotency-Key header must be at most %(max)s characters.") % {"max": MAX_KEY_LENGTH}
    if not all(" " <= character <= "~" for character in key):
        return _("The Idempotency-Key header may hold printable ASCII characters only.")
    return None


def header_problem(status: int, title: str, code: str, message: str, path: str) -> HttpResponse:
    """A problem document whose field error names the header."""
    body = {
        "type": f"{PROBLEM_BASE}{code}",
        "title": title,
        "status": status,
        "detail": message,
        "errors": [{"field": HEADER, "message": message}],
        "instance": path,
    }
    return JsonResponse(body, status=status, content_type="application/problem+json")


def route_takes(request: HttpRequest) -> bool:
    """Whether a view is routed at the request's path for its method (a DRF viewset's routes map
    methods to actions; an API view names the methods it has; the plain view answering paths no
    endpoint serves takes none)."""
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return False
    method = (request.method or "").lower()
    actions = getattr(match.func, "actions", None)
    if actions is not None:
        return method in actions
    view_class = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    if view_class is None:
        return False
    return method in view_class.http_method_names and hasattr(view_class, method)


def replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body), status=record.response_status, content_type=record.response_content_type
    )
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        tenant = getattr(request, "tenant", None)
        if (
            key is None
            or request.method not in METHODS
            or not request.path.startswith(PATH_PREFIX)
            or tenant is None
            or tenant.schema_name == "public"
            or not route_takes(request)
        ):
            return self.get_response(request)
        who = credential_id(request)
        if who is None:
            return self.get_response(request)
        error = key_error(key)
        if error:
            return header_problem(400, _("Invalid Idempotency-Key"), "invalid-idempotency-key", error, request.path)
        path = request.get_full_path()
        method = request.method or ""
        fingerprint = request_fingerprint(method, path, request.body)
        with transaction.atomic():
            claim = claim_key(credential_id=who, key=key, method=method, path=path, fingerprint=fingerprint)
            if not claim.created:
                if claim.record.fingerprint != fingerprint:
                    message = _("This Idempotency-Key was used for a different request.")
                    return header_problem(
                        422, _("Idempotency-Key reused"), "idempotency-key-reused", message, request.path
                    )
                return replay(claim.record)
            response = self.get_response(request)
            if response.streaming or "no-store" in response.get("Cache-Control", ""):
                # Nothing to replay, or a secret shown once (a quote link's token) that must not be
                # kept: the key is released and the request's own changes stand.
                claim.record.delete()
            elif response.status_code >= 500 or response.status_code in NOT_STORED:
                transaction.set_rollback(True)
            else:
                store_response(claim.record, response)
            return response
