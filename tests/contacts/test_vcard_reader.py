"""Reading cards from bytes as address books write them, without the database."""

import pytest
from django.core.exceptions import ValidationError

from core import phones
from modules.contacts.vcard_fields import GROUP, ORGANISATION, PERSON, card_data
from modules.contacts.vcard_reader import MAX_CARDS, read_cards


def _cards(text: str, encoding: str = "utf-8") -> list:  # type: ignore[type-arg]
    return read_cards(text.replace("\n", "\r\n").encode(encoding))


def test_quoted_printable_soft_breaks_and_charsets_are_applied():
    (card,) = _cards(
        "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Fran=E7ois;Ren=E9e\n"
        "NOTE;QUOTED-PRINTABLE:first =\nsecond=0D=0Athird\nEND:VCARD\n"
    )

    assert card.all("N")[0].parts == ["François", "Renée"]
    assert card.first("NOTE") == "first second\nthird"


def test_folded_lines_groups_bare_parameters_and_escapes_are_read():
    (card,) = _cards(
        "BEGIN:VCARD\nVERSION:3.0\nitem1.EMAIL;type=INTERNET:a@exam\n ple.com\nTEL;WORK;VOICE:+40 21 000 0000\n"
        "NOTE:one\\, two\\; three\\nfour\nEND:VCARD\n"
    )

    (email,) = card.all("EMAIL")
    assert (email.group, email.text, card.all("TEL")[0].types) == ("item1", "a@example.com", {"work", "voice"})
    assert card.first("NOTE") == "one, two; three\nfour"


def test_a_line_in_windows_1252_inside_a_utf8_file_is_read_as_such():
    data = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë\r\n".encode() + "NOTE:Grüße\r\nEND:VCARD\r\n".encode("cp1252")

    (card,) = read_cards(data)

    assert (card.first("FN"), card.first("NOTE")) == ("Zoë", "Grüße")


def test_an_agent_card_stays_out_of_its_parent_and_an_unclosed_card_is_one_problem():
    cards = _cards(
        "BEGIN:VCARD\nVERSION:2.1\nFN:Boss\nAGENT:\nBEGIN:VCARD\nFN:Assistant\nEND:VCARD\nEMAIL:boss@example.com\n"
        "END:VCARD\nBEGIN:VCARD\nFN:Unclosed\nBEGIN:VCARD\nFN:Next\nbroken line\nEND:VCARD\n"
    )

    assert [(card.first("FN"), card.first("EMAIL"), card.problem) for card in cards] == [
        ("Boss", "boss@example.com", ""),
        ("Unclosed", "", "The card has no END:VCARD."),
        ("Next", "", "A line of the card is malformed: it has no colon."),
    ]


def test_photos_are_dropped_and_the_card_limit_is_counted_while_reading():
    (card,) = _cards("BEGIN:VCARD\nFN:Pic\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ\n AAAA\nEND:VCARD\n")
    assert [prop.name for prop in card.properties] == ["FN"]

    with pytest.raises(ValidationError) as refused:
        read_cards(b"BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n" * (MAX_CARDS + 1))
    assert refused.value.message_dict == {"file": [f"At most {MAX_CARDS} cards can be imported at once."]}


def test_kinds_and_tel_uris_are_understood():
    person, organisation, group = (
        card_data(card, "US")
        for card in _cards(
            "BEGIN:VCARD\nVERSION:4.0\nFN:Ann Example\nTEL;VALUE=uri:tel:+1-202-555-0100;ext=7\nTEL:(202) 555-0101\n"
            "TEL:n/a\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nKIND:org\nFN:Example Inc.\nEND:VCARD\n"
            "BEGIN:VCARD\nVERSION:4.0\nKIND:group\nFN:Friends\nMEMBER:urn:uuid:ABC\nEND:VCARD\n"
        )
    )

    assert (person.kind, organisation.kind, group.kind) == (PERSON, ORGANISATION, GROUP)
    assert person.phones == ["+1 202-555-0100 ext. 7", "+1 202-555-0101", "n/a"]
    assert person.numbers == ["+12025550100", "+12025550101"]
    assert (organisation.values["name"], group.members) == ("Example Inc.", ["abc"])


@pytest.mark.parametrize(
    ("typed", "region", "e164", "written"),
    [
        ("+40 7 0000 0012", None, "+40700000012", "+40 700 000 012"),
        ("06 1234 5678", "IT", "+390612345678", "+39 06 1234 5678"),  # Italy's leading zero
        ("(650) 253-0000 ext. 12", "US", "+16502530000", "+1 650-253-0000 ext. 12"),
    ],
)
def test_a_stored_number_read_back_is_the_number_it_came_from(typed, region, e164, written):
    """The import reads the numbers it stored (international form) right back to match and complete
    records: from the cache, which must answer exactly what a fresh parse of that form answers."""
    assert (phones.international(typed, region), phones.to_e164(typed, region)) == (written, e164)
    cached = (phones.international(written, region), phones.to_e164(written, region), phones.digit_forms(e164))
    phones._forms_by_text.clear()
    phones._parts_by_e164.clear()
    fresh = (phones.international(written, region), phones.to_e164(written, region), phones.digit_forms(e164))
    assert cached == fresh == (written, e164, fresh[2])
