"""Telephony and SMS providers behind one interface (``base.TelephonyProvider``)."""

from __future__ import annotations

from typing import Any

from modules.service.contact_centre.choices import Provider
from modules.service.contact_centre.providers.base import TelephonyProvider
from modules.service.contact_centre.providers.twilio import Twilio


def provider_for(settings_row: Any) -> TelephonyProvider:
    """The provider client of the workspace's telephony settings."""
    if settings_row.provider == Provider.TWILIO:
        return Twilio(account_sid=settings_row.account_sid, auth_token=settings_row.auth_token)
    raise ValueError(f"unknown telephony provider {settings_row.provider!r}")
