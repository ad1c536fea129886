"""A support impersonation in progress, for the banner every page of the app shell shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.dateparse import parse_datetime

from identity.views.handoff import IMPERSONATION_SESSION_KEY


def impersonation(request: HttpRequest) -> dict[str, Any]:
    session = getattr(request, "session", None)
    data = session.get(IMPERSONATION_SESSION_KEY) if session is not None else None
    if not data:
        return {"impersonation": None}
    return {"impersonation": {**data, "expires_at": parse_datetime(data["expires_at"])}}
