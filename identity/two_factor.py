"""TOTP authenticators: checking a sign-in code and enrolling a new device. The tenant sign-in, the
account's two-factor page and the console's operator sign-in all use these, so a code is judged
and an enrolment shown the same way everywhere."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import segno
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.forms import OTPForm
from identity.models import User
from identity.services.audit import audit


def manual_entry_key(key: bytes) -> str:
    """The TOTP secret as authenticator apps take it by hand: base32, in groups of four."""
    encoded = base64.b32encode(key).decode().rstrip("=")
    return " ".join(encoded[index : index + 4] for index in range(0, len(encoded), 4))


def verify_code(devices: Sequence[TOTPDevice], form: OTPForm) -> TOTPDevice | None:
    """The device of ``devices`` whose current code the valid ``form`` holds. None when there is
    none; the form's code field then says why. django-otp slows guessing down: each failure
    doubles the wait before the next try, and a code typed during the wait is refused unread."""
    throttled = not any(device.verify_is_allowed()[0] for device in devices)
    device = next((d for d in devices if d.verify_token(form.cleaned_data["code"])), None)
    if device is None and throttled:
        form.add_error("code", _("Too many wrong codes. Wait a few seconds, then try again."))
    elif device is None:
        form.add_error("code", _("That code is not valid. Codes change every 30 seconds."))
    return device


def enrolment_context(device: TOTPDevice) -> dict[str, str]:
    """What identity/includes/totp_enrolment.html shows for an unconfirmed ``device``: its QR code
    and the key to type by hand."""
    return {
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#212529"),
        "secret": manual_entry_key(device.bin_key),
    }


def turn_on(device: TOTPDevice) -> None:
    """Confirm ``device`` (its first code was right): two-factor is on, and the audit log says so."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit(
            "user.two_factor_on",
            gettext("%(user)s turned two-factor authentication on.") % {"user": device.user.email},
            by=device.user,
            target=f"user:{device.user.email}",
        )


def turn_off(user: User) -> None:
    """Remove every authenticator of ``user`` (the caller asked for the password again)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit(
            "user.two_factor_off",
            gettext("%(user)s turned two-factor authentication off.") % {"user": user.email},
            by=user,
            target=f"user:{user.email}",
        )
