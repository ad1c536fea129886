"""vCard 3.0 export of contacts: one card per contact (written with vobject). Reading cards is
``vcard_reader``; importing them is ``services.vcard_import``."""

from __future__ import annotations

from collections.abc import Iterable

import vobject

from modules.contacts.models import Contact


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
