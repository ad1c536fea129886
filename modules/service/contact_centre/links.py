"""Absolute links to the tenant's host for messages and provider callbacks made outside a request."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.urls import reverse


def tenant_link(url_name: str, *args: object) -> str:
    host = getattr(getattr(connection, "tenant", None), "primary_host", "")
    scheme = settings.PUBLIC_URL_SCHEME
    return f"{scheme}://{host}{reverse(url_name, args=args)}"
