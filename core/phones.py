"""Phone numbers as people type them, read with ``phonenumbers``: the E.164 form for comparing and
the international form for storing. A number without a country code is read in ``region`` (the
workspace's country, ISO 3166 alpha-2) when one is given.

Parsing dominates an import's cost (a 5,000-card address book holds about 10,000 distinct numbers),
so each number is parsed once per process: what a parse gives is kept by the text read, by the
international form it produced (an import reads the numbers it stored in that form right back,
to match and complete records) and, for its parts, by its E.164 form."""

from __future__ import annotations

from typing import NamedTuple

import phonenumbers

# Longer text is no phone number (and the stored columns hold 40 characters).
MAX_LENGTH = 40
# Entries kept per cache; a full cache starts over (an import's numbers fit many times).
CACHED = 65_536


class _Forms(NamedTuple):
    e164: str
    international: str
    country_code: int
    national_number: int


_forms_by_text: dict[tuple[str, str | None], _Forms | None] = {}
_parts_by_e164: dict[str, tuple[int, int]] = {}


def _remember(text: str, region: str | None, forms: _Forms | None) -> None:
    if len(_forms_by_text) >= CACHED:
        _forms_by_text.clear()
    _forms_by_text[(text, region)] = forms
    if forms is None:
        return
    # Read back, the international form is the same number (it keeps the country code, an
    # extension and Italy's leading zero), whatever the region; a shortened one would not be.
    if len(forms.international) < MAX_LENGTH:
        _forms_by_text[(forms.international, region)] = forms
    if len(_parts_by_e164) >= CACHED:
        _parts_by_e164.clear()
    _parts_by_e164[forms.e164] = (forms.country_code, forms.national_number)


def _parse(text: str, region: str | None) -> _Forms | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return _Forms(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)[:MAX_LENGTH],
        int(number.country_code or 0),
        int(number.national_number or 0),
    )


def _forms(raw: str, region: str | None) -> _Forms | None:
    """``raw``'s forms, or None when it is no possible phone number."""
    text = (raw or "").strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    try:
        return _forms_by_text[(text, region)]
    except KeyError:  # (not "in" then a lookup: another thread may empty the cache between them)
        pass
    forms = _parse(text, region)
    _remember(text, region, forms)
    return forms


def to_e164(raw: str, region: str | None = None) -> str | None:
    """``raw`` as +<country><number>, or None when it is no possible phone number."""
    forms = _forms(raw, region)
    return None if forms is None else forms.e164


def international(raw: str, region: str | None = None) -> str | None:
    """``raw`` written the international way ("+44 20 7946 0958", extension kept), or None when it
    is no possible phone number."""
    forms = _forms(raw, region)
    return None if forms is None else forms.international


def _parts(e164: str) -> tuple[str, str]:
    """The country code and national number of an E.164 number, as digit strings."""
    known = _parts_by_e164.get(e164)
    if known is None:
        number = phonenumbers.parse(e164, None)
        known = (int(number.country_code or 0), int(number.national_number or 0))
    return str(known[0]), str(known[1])


def national_digits(e164: str) -> str:
    return _parts(e164)[1]


def digit_forms(e164: str) -> set[str]:
    """The digit strings a stored number of ``e164`` may reduce to once everything but digits is
    dropped: with the country code (+, 00 or nothing before it), or national with or without a
    trunk 0."""
    country, national = _parts(e164)
    return {country + national, "00" + country + national, national, "0" + national}
