"""The workspace's telephony account and its agents' phones: the settings page's writers."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.phones import to_e164
from identity.models import User
from identity.services.audit import audit
from modules.service.contact_centre.choices import SmsEvent
from modules.service.contact_centre.models import AgentPhone, TelephonySettings
from modules.workspace.services import default_phone_region


def telephony_settings() -> TelephonySettings | None:
    return TelephonySettings.objects.first()


def configured_settings() -> TelephonySettings | None:
    """The workspace's settings when calls and SMS can go out (account, token and a number)."""
    row = telephony_settings()
    return row if row is not None and row.is_configured else None


def _numbers(raw: Iterable[str], field: str) -> list[str]:
    region = default_phone_region()
    numbers = []
    for text in raw:
        number = to_e164(text, region)
        if number is None:
            raise ValidationError({field: [_("“%(number)s” is not a phone number.") % {"number": text[:40]}]})
        if number not in numbers:
            numbers.append(number)
    return numbers


def save_telephony_settings(
    *, by: User, account_sid: str, auth_token: str | None, numbers: Iterable[str], sms_events: Iterable[str]
) -> TelephonySettings:
    """Store the account. ``auth_token`` None keeps the stored token (the form never shows it)."""
    parsed = _numbers(numbers, "numbers")
    events = list(dict.fromkeys(sms_events))
    unknown = [event for event in events if event not in SmsEvent.values]
    if unknown:
        raise ValidationError({"sms_events": [_("Choose among the listed events.")]})
    with transaction.atomic():
        row = TelephonySettings.objects.select_for_update().first() or TelephonySettings()
        row.account_sid = account_sid.strip()
        if auth_token:
            row.set_auth_token(auth_token.strip())
        row.numbers = parsed
        row.sms_events = events
        row.full_clean(exclude=["auth_token_encrypted"])
        row.save()
        # The token itself is never written to the audit log.
        audit(
            "service.telephony_settings_changed", _("Telephony settings changed."), by=by, system="service",
            details={"account_sid": row.account_sid, "numbers": parsed, "token_changed": bool(auth_token)},
        )  # fmt: skip
    return row


def set_agent_phone(user: User, number: str, *, by: User) -> AgentPhone | None:
    """Which phone rings for ``user`` (an empty number removes it)."""
    with transaction.atomic():
        if not number.strip():
            AgentPhone.objects.filter(user=user).delete()
            audit("service.agent_phone_removed", _("Agent phone removed."), by=by, system="service", target=str(user))
            return None
        (parsed,) = _numbers([number], "number")
        phone, _created = AgentPhone.objects.update_or_create(user=user, defaults={"number": parsed})
        audit("service.agent_phone_set", _("Agent phone set."), by=by, system="service", target=str(user))
    return phone
