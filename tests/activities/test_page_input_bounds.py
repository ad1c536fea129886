"""Hostile values in the pages' forms: control characters in text and dates beyond the platform's
window are a form error on the field, never a server error, and nothing is written."""

from hypothesis import given, settings
from hypothesis import strategies as st

from modules.activities.models import Activity
from modules.contacts.models import Contact
from tests.tenancy import TenantFixture, schema_snapshot

WINDOW = "Enter a date between the years 1000 and 8999."


def test_a_control_character_in_a_contact_is_an_error_on_its_field(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(
        "/contacts/new/",
        {"first_name": "Marie", "last_name": "Curie", "job_title": "Ph\x1bD", "lifecycle_stage": "lead"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "job_title": ["Remove the control character U+001B: text cannot hold it."]
    }
    assert schema_snapshot(alpha.tenant) == before


def test_a_meeting_at_the_end_of_time_is_an_error_on_its_start(alpha: TenantFixture):
    admin = alpha.user()
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(
        "/activities/new/",
        {"kind": "meeting", "subject": "Forever", "due_at": "9999-12-31T10:00", "priority": "normal",
         "assignee": admin.pk},
    )  # fmt: skip

    assert response.status_code == 400
    assert response.context["form"].errors == {"due_at": [WINDOW]}
    assert schema_snapshot(alpha.tenant) == before


def test_a_list_filter_at_the_end_of_time_is_an_error_on_its_field(alpha: TenantFixture):
    response = alpha.client().get("/activities/", {"due_to": "9999-12-31"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"due_to": [WINDOW]}


CONTROL = st.characters(categories=["Cc"], exclude_characters="\t\n\r")
LETTERS = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=5)
# letters on both sides: a control character at either end would be stripped with the whitespace
HOSTILE_TEXT = st.builds(lambda head, control, tail: f"{head}{control}{tail}", LETTERS, CONTROL, LETTERS)
YEARS_BEYOND = st.integers(min_value=1, max_value=999) | st.integers(min_value=9000, max_value=9999)


def test_any_hostile_text_or_date_in_the_forms_is_an_error_on_its_field(alpha: TenantFixture):
    admin = alpha.user()
    client = alpha.client()

    @settings(max_examples=12)
    @given(
        field=st.sampled_from(["first_name", "job_title", "city", "description"]), text=HOSTILE_TEXT, year=YEARS_BEYOND
    )
    def submit(field: str, text: str, year: int) -> None:
        contact = client.post("/contacts/new/", {"last_name": "Curie", "lifecycle_stage": "lead", field: text})
        meeting = client.post(
            "/activities/new/",
            {"kind": "meeting", "subject": "Hostile", "due_at": f"{year:04d}-06-15T10:00", "priority": "normal",
             "assignee": admin.pk},
        )  # fmt: skip
        listed = client.get("/activities/", {"due_from": f"{year:04d}-06-15"})

        assert (contact.status_code, meeting.status_code, listed.status_code) == (400, 400, 400)
        assert list(contact.context["form"].errors) == [field]
        assert list(meeting.context["form"].errors) == ["due_at"]
        assert list(listed.context["form"].errors) == ["due_from"]
        with alpha.active():
            assert not Contact.objects.filter(last_name="Curie").exists()
            assert not Activity.objects.filter(subject="Hostile").exists()

    submit()
