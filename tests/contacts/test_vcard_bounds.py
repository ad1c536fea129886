"""Hostile vCard files: control characters another program left in a card are dropped and the rest
imports; cards opened and never closed are skipped one by one (read without recursion), and a file
of more cards than the limit is refused once the limit is passed, never with a server error."""

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from modules.contacts.models import Contact
from tests.tenancy import TenantFixture, schema_snapshot


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("cards.vcf", text.encode(), content_type="text/vcard")


def _card(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *lines, "END:VCARD", ""])


def test_a_nul_in_a_note_is_dropped_and_the_card_imports(alpha: TenantFixture):
    response = alpha.client().post(
        "/contacts/import/", {"file": _upload(_card("FN:Marie Curie", "NOTE:Radium\x00 and polonium", "TITLE:Ph\x1bD"))}
    )

    assert response.status_code == 200
    with alpha.active():
        contact = Contact.objects.get(full_name="Marie Curie")
    assert (contact.description, contact.job_title) == ("Radium and polonium", "PhD")


def test_endlessly_opened_cards_are_refused_past_the_card_limit(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)
    nested = "BEGIN:VCARD\r\n" * 20_000 + "FN:Deep\r\n" + "END:VCARD\r\n" * 20_000

    response = client.post("/contacts/import/", {"file": _upload(nested)})

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["At most 5000 cards can be imported at once."]
    assert schema_snapshot(alpha.tenant) == before


TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "L", "Zs"]), min_size=1, max_size=40)


def test_any_card_text_after_unclosed_cards_is_imported_clean(alpha: TenantFixture):
    client = alpha.client()

    @settings(max_examples=12)
    @given(note=TEXT, depth=st.integers(min_value=1, max_value=60))
    def import_one(note: str, depth: int) -> None:
        note = note.replace("\r", "").replace("\n", "")  # a line break would end the property
        card = _card("FN:Marie Curie", f"NOTE:{note}")
        text = "BEGIN:VCARD\r\n" * (depth - 1) + card + "END:VCARD\r\n" * (depth - 1)

        response = client.post("/contacts/import/", {"file": _upload(text)})

        with alpha.active():
            imported = Contact.objects.filter(full_name="Marie Curie")
            stored = list(imported.values_list("description", flat=True))
            imported.delete()
        assert response.status_code == 200
        assert len(stored) == 1
        assert all(ord(character) >= 32 or character == "\t" for character in stored[0])
        statuses = [outcome.status for outcome in response.context["report"].outcomes]
        assert statuses == ["skipped"] * (depth - 1) + ["imported"]

    import_one()
