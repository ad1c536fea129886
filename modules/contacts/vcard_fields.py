"""What a read card says, in the terms of contacts and companies.

A card is a person, an organisation (``KIND:org``, Apple's ``X-ABShowAs:COMPANY`` or
``X-ADDRESSBOOKSERVER-KIND:org``, or a card naming only an organisation, as Outlook and Google
write company entries) or a group (``KIND:group``, Apple's and Evolution's lists), which is no
record of its own: its name becomes a tag on the members the file holds. Phone numbers are
normalised with ``phonenumbers`` in the workspace's region (``TEL;VALUE=uri`` read as the ``tel:``
URI it is); numbers it cannot read are kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.phones import international, to_e164
from modules.contacts.vcard_reader import Card

PERSON, ORGANISATION, GROUP = "person", "organisation", "group"


@dataclass
class CardData:
    number: int
    kind: str
    label: str
    values: dict[str, Any] = field(default_factory=dict)  # the record's fields (service names)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # as stored: normalised where readable
    numbers: list[str] = field(default_factory=list)  # E.164 forms of the readable ones
    organisation: str = ""
    uid: str = ""
    members: list[str] = field(default_factory=list)  # a group's member UIDs
    problem: str = ""


def _kind(card: Card) -> str:
    kind = (card.first("KIND") or card.first("X-ADDRESSBOOKSERVER-KIND")).lower()
    if kind == "group" or card.first("X-EVOLUTION-LIST").upper() == "TRUE":
        return GROUP
    if kind in ("org", "organization") or card.first("X-ABSHOWAS").upper() == "COMPANY":
        return ORGANISATION
    return PERSON


def _uid(text: str) -> str:
    return text.strip().lower().removeprefix("urn:uuid:")


def _phone(raw: str, region: str | None) -> tuple[str, str | None]:
    """The number as stored and its E.164 form (None: not a readable number, kept as written)."""
    text = raw.strip()
    if text.lower().startswith("tel:"):  # RFC 3966: tel:+1-555-555-0100;ext=12
        number, _sep, params = text[4:].partition(";")
        extension = next((p[4:] for p in params.split(";") if p.lower().startswith("ext=")), "")
        text = f"{number} ext. {extension}" if extension else number
    return international(text, region) or text[:40], to_e164(text, region)  # one parse: cached


def _emails(card: Card) -> list[str]:
    found = [prop.text.removeprefix("mailto:").removeprefix("MAILTO:") for prop in card.all("EMAIL")]
    return list(dict.fromkeys(address for address in found if address))


def _address(card: Card) -> dict[str, Any]:
    found = card.all("ADR")
    if not found:
        return {}
    parts = [*found[0].parts, "", "", "", "", "", "", ""][:7]
    _box, extended, street, city, region, code, country = parts
    if found[0].group and not (len(country) == 2 and country.isalpha()):
        # Apple writes the country's name in ADR and its ISO code in X-ABADR of the same group.
        codes = [prop.text for prop in card.all("X-ABADR") if prop.group == found[0].group]
        country = codes[0] if codes else country
    street = ", ".join(part for part in (street, extended) if part)
    return {
        "street": street[:255], "city": city[:120], "region": region[:120], "postal_code": code[:20],
        "country": country.upper() if len(country) == 2 and country.isalpha() else "",
    }  # fmt: skip


def card_data(card: Card, region: str | None) -> CardData:
    """The record ``card`` describes; ``problem`` says why it cannot be imported."""
    kind = _kind(card)
    organisation_parts = card.all("ORG")[0].parts if card.all("ORG") else []
    organisation = organisation_parts[0] if organisation_parts else ""
    department = " ".join(part for part in organisation_parts[1:] if part)
    formatted = card.first("FN")
    first = last = ""
    if card.all("N"):
        family, given, *_rest = [*card.all("N")[0].parts, "", ""]
        first, last = given, family
    if not first and not last and formatted and formatted != organisation:
        first, _sep, last = formatted.rpartition(" ")
    if kind == PERSON and not first and not last and organisation:
        kind = ORGANISATION  # a card whose only name is an organisation's is the organisation's
    data = CardData(number=card.number, kind=kind, label="", uid=_uid(card.first("UID")))
    data.emails = _emails(card)
    for prop in card.all("TEL"):
        stored, number = _phone(prop.text, region)
        if stored and stored not in data.phones:
            data.phones.append(stored)
            if number:
                data.numbers.append(number)
    common: dict[str, Any] = {
        "email": data.emails[0] if data.emails else "",
        "additional_emails": data.emails[1:],
        "phone": data.phones[0] if data.phones else "",
        "additional_phones": data.phones[1:],
        "description": card.first("NOTE"),
        **_address(card),
    }
    if kind == GROUP:
        data.label = formatted or card.first("N") or _("(a group without a name)")
        members = [*card.all("MEMBER"), *card.all("X-ADDRESSBOOKSERVER-MEMBER")]
        data.members = [_uid(prop.text) for prop in members] + [
            _uid(prop.param("X-EVOLUTION-DEST-CONTACT-UID")) for prop in card.all("EMAIL")
        ]  # Evolution's lists name their members on their addresses
        data.problem = _("A contact group, not a person: its name is added as a tag to its members in the file.")
    elif kind == ORGANISATION:
        name = organisation or formatted
        data.label = name
        urls = [prop.text for prop in card.all("URL") if prop.text.lower().startswith(("http://", "https://"))]
        data.values = {**common, "name": name[:200], "website": urls[0][:255] if urls else ""}
        if not name:
            data.problem = _("An organisation card without a name.")
    else:
        if not first and not last and data.emails:
            last = data.emails[0]  # a card with only an address is named by it, as mail programs show it
        data.label = " ".join(part for part in (first, last) if part)
        data.organisation = organisation
        data.values = {
            **common,
            "first_name": first[:100], "last_name": last[:100], "job_title": card.first("TITLE")[:120],
            "department": department[:120],
        }  # fmt: skip
        if not data.label:
            data.label = formatted
            data.problem = _("The card has no name, e-mail address or organisation.")
    data.problem = card.problem or data.problem
    data.label = data.label or _("Card %(number)d") % {"number": card.number}
    return data
