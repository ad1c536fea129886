"""Phone numbers as people type them, read with ``phonenumbers``: the E.164 form for comparing and
the international form for storing. A number without a country code is read in ``region`` (the
workspace's country, ISO 3166 alpha-2) when one is given."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

# Longer text is no phone number (and the stored columns hold 40 characters).
MAX_LENGTH = 40


@lru_cache(maxsize=65_536)
def _forms(raw: str, region: str | None) -> tuple[str, str] | None:
    """``raw``'s E.164 and international forms, or None when it is no possible phone number.
    Cached: an import compares the same numbers several times, and parsing dominates its cost."""
    text = (raw or "").strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)[:MAX_LENGTH],
    )


def to_e164(raw: str, region: str | None = None) -> str | None:
    """``raw`` as +<country><number>, or None when it is no possible phone number."""
    forms = _forms(raw, region)
    return None if forms is None else forms[0]


def international(raw: str, region: str | None = None) -> str | None:
    """``raw`` written the international way ("+44 20 7946 0958", extension kept), or None when it
    is no possible phone number."""
    forms = _forms(raw, region)
    return None if forms is None else forms[1]


def national_digits(e164: str) -> str:
    return str(phonenumbers.parse(e164, None).national_number)


def digit_forms(e164: str) -> set[str]:
    """The digit strings a stored number of ``e164`` may reduce to once everything but digits is
    dropped: with the country code (+, 00 or nothing before it), or national with or without a
    trunk 0."""
    number = phonenumbers.parse(e164, None)
    country, national = str(number.country_code), str(number.national_number)
    return {country + national, "00" + country + national, national, "0" + national}
