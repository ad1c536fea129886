"""vCard 3.0 for contacts: one card per contact out, many cards in (parsed with vobject)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import vobject
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from core.input_bounds import without_control_characters
from identity.models import User
from modules.contacts.choices import Source
from modules.contacts.models import Company, Contact
from modules.contacts.services.contacts import create_contact
from modules.contacts.services.duplicates import DuplicateRecords

MAX_CARDS = 5000
MAX_NESTING = 3  # vCard 3.0 nests a card only in AGENT; vobject's parser recurses once per level


def _nesting_depth(text: str) -> int:
    """How deep BEGIN/END blocks nest, read line by line before the recursive parser sees them."""
    depth = deepest = 0
    for line in text.splitlines():
        keyword = line.strip()[:6].upper()
        if keyword == "BEGIN:":
            depth += 1
            deepest = max(deepest, depth)
        elif keyword[:4] == "END:":
            depth -= 1
    return deepest


def contact_card(contact: Contact) -> str:
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    card.add("fn").value = contact.full_name or contact.email or str(contact.pk)
    for number, address in enumerate([contact.email, *contact.additional_emails]):
        if address:
            line = card.add("email")
            line.value = address
            line.type_param = "INTERNET" if number else "PREF"
    for number, phone in enumerate([contact.phone, *contact.additional_phones]):
        if phone:
            line = card.add("tel")
            line.value = phone
            if not number:
                line.type_param = "PREF"
    if contact.company_id:
        card.add("org").value = [contact.company.name]  # type: ignore[union-attr]
    if contact.job_title:
        card.add("title").value = contact.job_title
    if any((contact.street, contact.city, contact.region, contact.postal_code, contact.country)):
        card.add("adr").value = vobject.vcard.Address(
            street=contact.street, city=contact.city, region=contact.region, code=contact.postal_code,
            country=contact.country,
        )  # fmt: skip
    if contact.description:
        card.add("note").value = contact.description
    return str(card.serialize())


def contact_cards(contacts: Iterable[Contact]) -> Iterable[str]:
    for contact in contacts:
        yield contact_card(contact)


@dataclass
class ImportResult:
    created: list[Contact] = field(default_factory=list)
    skipped: list[tuple[str, list[Any]]] = field(default_factory=list)  # (card name, similar records)


def _text(value: Any) -> str:
    """A card's text; control characters another program left in it are dropped (core.input_bounds)."""
    if isinstance(value, list):
        value = " ".join(str(part) for part in value if part)
    return without_control_characters(str(value or "")).strip()


def _values(card: Any) -> dict[str, Any]:
    contents = card.contents
    first = last = ""
    if "n" in contents:
        name = card.n.value
        first, last = _text(name.given), _text(name.family)
    if not first and not last and "fn" in contents:
        first, _sep, last = _text(card.fn.value).rpartition(" ")
        if not first:
            first, last = last, ""
    emails = [_text(line.value) for line in contents.get("email", []) if _text(line.value)]
    phones = [_text(line.value) for line in contents.get("tel", []) if _text(line.value)]
    values: dict[str, Any] = {
        "first_name": first[:100],
        "last_name": last[:100],
        "email": emails[0] if emails else "",
        "additional_emails": emails[1:],
        "phone": phones[0][:40] if phones else "",
        "additional_phones": [phone[:40] for phone in phones[1:]],
        "job_title": _text(card.title.value)[:120] if "title" in contents else "",
        "description": _text(card.note.value) if "note" in contents else "",
        "source": Source.IMPORT,
    }
    if "adr" in contents:
        address = card.adr.value
        country = _text(address.country)
        values.update(
            street=_text(address.street)[:255], city=_text(address.city)[:120], region=_text(address.region)[:120],
            postal_code=_text(address.code)[:20], country=country.upper() if len(country) == 2 else "",
        )  # fmt: skip
    values["organisation"] = _text(card.org.value).lower() if "org" in contents else ""
    return values


def import_cards(data: bytes, *, by: User, companies: QuerySet[Company]) -> ImportResult:
    """Create a contact from every card in ``data``; cards that look like existing contacts are skipped
    and reported. All or nothing: a card that cannot be read or saved stops the import with a
    ValidationError naming it, and nothing is kept."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from error
    if _nesting_depth(text) > MAX_NESTING:
        raise ValidationError({"file": [_("This is not a readable vCard file: cards are nested too deeply.")]})
    try:
        cards = list(vobject.readComponents(text))
    except Exception as error:  # vobject raises several unrelated types on bad input; their text is for us
        message = _("This is not a readable vCard file: check that every BEGIN:VCARD has its END:VCARD.")
        raise ValidationError({"file": [message]}) from error
    cards = [card for card in cards if getattr(card, "name", "").upper() == "VCARD"]
    if not cards:
        raise ValidationError({"file": [_("The file holds no vCards.")]})
    if len(cards) > MAX_CARDS:
        raise ValidationError({"file": [_("At most %(max)d cards can be imported at once.") % {"max": MAX_CARDS}]})
    parsed = []
    for number, card in enumerate(cards, start=1):
        try:
            parsed.append(_values(card))
        except Exception as error:  # a card vobject read but whose fields are malformed
            raise ValidationError(
                {"file": [_("Card %(number)d cannot be read: one of its lines is malformed.") % {"number": number}]}
            ) from error
    # ORG links the contact to a company the importer sees with that name (first one by id).
    organisations = {values["organisation"] for values in parsed if values["organisation"]}
    by_name: dict[str, Company] = {}
    for company in companies.annotate(name_lower=Lower("name")).filter(name_lower__in=organisations).order_by("-pk"):
        by_name[company.name.lower()] = company
    result = ImportResult()
    with transaction.atomic():
        for number, values in enumerate(parsed, start=1):
            organisation = values.pop("organisation")
            if organisation in by_name:
                values["company"] = by_name[organisation]
            label = " ".join(part for part in (values["first_name"], values["last_name"]) if part) or values["email"]
            try:
                result.created.append(create_contact(by=by, **values))
            except DuplicateRecords as duplicate:
                result.skipped.append((label, list(duplicate.visible_candidates)))
            except ValidationError as error:
                details = "; ".join(f"{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
                raise ValidationError(
                    {"file": [_("Card %(number)d (%(name)s): %(errors)s") % {
                        "number": number, "name": label or "?", "errors": details,
                    }]}
                ) from error  # fmt: skip
    return result
