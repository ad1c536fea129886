"""The language to write to a customer in (SMS, CSAT e-mail): never the language of the request
that happened to trigger the message (an agent's, or a provider's callback), but the customer's —
the language of the case, else of the contact's latest case that has one, else the workspace's."""

from __future__ import annotations

from typing import Any

from django.db import connection

from identity.locales import is_supported_locale


def customer_language(case: Any) -> str:
    from modules.service.models import Case

    candidates = [case.language]
    if case.contact_id is not None:
        latest = (
            Case.objects.filter(contact_id=case.contact_id).exclude(language="").exclude(pk=case.pk)
            .order_by("-created_at", "-id").values_list("language", flat=True).first()
        )  # fmt: skip
        candidates.append(latest or "")
    tenant = getattr(connection, "tenant", None)
    candidates.append(getattr(tenant, "locale", "") or "")
    for language in candidates:
        if language and is_supported_locale(language):
            return str(language)
        primary = (language or "").split("-")[0].lower()
        if primary and is_supported_locale(primary):
            return primary
    return "en"
