"""``{% call_button number record %}``: a click-to-dial button beside a phone number, shown only when
the workspace has the service module and telephony set up and the user may use it. One query per
page however many numbers it shows (the answer is kept on the request)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from modules.registry import is_enabled

register = template.Library()


def _may_call(request: Any) -> bool:
    cached = getattr(request, "_contact_centre_may_call", None)
    if cached is None:
        from modules.service.contact_centre.services.accounts import configured_settings

        user = getattr(request, "user", None)
        cached = bool(
            user is not None
            and user.is_authenticated
            and is_enabled(getattr(request, "tenant", None), "service")
            and user.has_perm("service.view")
            and configured_settings() is not None
        )
        request._contact_centre_may_call = cached
    return cached


@register.simple_tag(takes_context=True)
def call_button(context: template.Context, number: str, record: Any = None) -> str:
    request = context.get("request")
    if not number or request is None or not _may_call(request):
        return ""
    entity = record._meta.model_name if record is not None else ""
    return render_to_string(
        "service_contact_centre/includes/call_button.html",
        {"number": number, "entity": entity, "record": record, "next": request.get_full_path()},
        request=request,
    )
