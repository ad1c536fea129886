"""What the analyses derived from sales ask of a caller besides the analytics module's own check."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from api.auth.credentials import credential_of, missing_scope_message, scope_allows
from modules.plan_gate import ensure_in_plan


class ReadsSales(BasePermission):
    """The figures come from deals, orders and products: sales in the plan, ``sales.view`` and, for an
    API key or OAuth token, the ``sales:read`` scope — the same as GraphQL asks, so a key reading
    analytics but not sales sees neither API's sales-derived figures."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        ensure_in_plan(getattr(request, "tenant", None), "sales")
        allowed = bool(request.user and request.user.has_perm("sales.view"))
        if allowed and not scope_allows(credential_of(request), "sales", write=False):
            raise exceptions.PermissionDenied(missing_scope_message("sales", write=False))
        return allowed
