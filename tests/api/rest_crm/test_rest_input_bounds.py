"""Hostile values over REST: control characters in text, dates beyond the platform's window,
offsets PostgreSQL refuses, in writes and in every date filter, are a 400 problem naming the field,
never a server error, and nothing is written."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.entities import ENTITIES, FilterKind
from modules.activities.models import Activity
from modules.contacts.models import Contact
from tests.api.rest_crm.helpers import api_client, field_names, post
from tests.tenancy import TenantFixture, schema_snapshot

WINDOW = "Enter a date between the years 1000 and 8999."
OFFSET = "Give a time zone offset between -15:59 and +15:59."
DATE_FILTERS = [
    (description.rest_path, spec.name, spec.kind)
    for description in ENTITIES
    for spec in description.filters
    if spec.kind in (FilterKind.DATETIME, FilterKind.DATE)
]


@pytest.mark.parametrize(("resource", "name", "kind"), DATE_FILTERS)
def test_every_date_filter_refuses_what_the_database_cannot_compare_by_name(
    alpha: TenantFixture, resource: str, name: str, kind: str
):
    client = api_client(alpha)
    beyond = "0999-12-31" if kind == FilterKind.DATE else "2020-01-01T00:00:00+16:00"

    response = client.get(f"/api/v1/{resource}/", {name: beyond})

    assert response.status_code == 400
    assert field_names(response) == [name]
    assert response.json()["errors"][0]["message"] == (WINDOW if kind == FilterKind.DATE else OFFSET)


def test_the_offset_schemathesis_found_on_deals_is_a_400(alpha: TenantFixture):
    response = api_client(alpha).get("/api/v1/deals/?updated_after=0636-11-12T22:14:55%2B19:00")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "updated_after", "message": OFFSET}]


def test_a_nul_in_a_contact_is_a_400_naming_the_field_and_nothing_is_written(alpha: TenantFixture):
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)

    response = post(client, "/api/v1/contacts/", {"last_name": "Curie", "job_title": "Ph\x00D"})

    assert response.status_code == 400
    assert field_names(response) == ["job_title"]
    assert schema_snapshot(alpha.tenant) == before


def test_a_meeting_at_the_end_of_time_is_a_400_naming_due_at(alpha: TenantFixture):
    client = api_client(alpha)
    before = schema_snapshot(alpha.tenant)

    response = post(
        client,
        "/api/v1/activities/",
        {"kind": "meeting", "subject": "Forever", "due_at": "9999-12-31T23:59:59Z", "ends_at": "9999-12-31T23:59:59Z"},
    )

    assert response.status_code == 400
    assert field_names(response) == ["due_at", "ends_at"]
    assert schema_snapshot(alpha.tenant) == before


CONTROL = st.characters(categories=["Cc"], exclude_characters="\t\n\r")
LETTERS = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=5)
# letters on both sides: a control character at either end would be stripped with the whitespace
HOSTILE_TEXT = st.builds(lambda head, control, tail: f"{head}{control}{tail}", LETTERS, CONTROL, LETTERS)
CONTACT_TEXT_FIELDS = st.sampled_from(["first_name", "last_name", "job_title", "description", "city"])
YEARS_BEYOND = st.integers(min_value=1, max_value=999) | st.integers(min_value=9000, max_value=9999)


def test_any_hostile_text_in_a_contact_is_refused_by_name(alpha: TenantFixture):
    client = api_client(alpha)

    @settings(max_examples=15)
    @given(field=CONTACT_TEXT_FIELDS, text=HOSTILE_TEXT)
    def create(field: str, text: str) -> None:
        response = post(client, "/api/v1/contacts/", {"last_name": "Curie", field: text})

        assert response.status_code == 400
        assert field_names(response) == [field]
        with alpha.active():
            assert not Contact.objects.exists()

    create()


def test_any_date_beyond_the_window_or_offset_beyond_postgresql_is_refused_by_name(alpha: TenantFixture):
    client = api_client(alpha)

    @settings(max_examples=15)
    @given(
        year=YEARS_BEYOND,
        offset_minutes=st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
        filter_index=st.integers(min_value=0, max_value=len(DATE_FILTERS) - 1),
    )
    def ask(year: int, offset_minutes: int, filter_index: int) -> None:
        resource, name, kind = DATE_FILTERS[filter_index]
        day = date(year, 6, 15).isoformat()
        sign, minutes = "+" if offset_minutes >= 0 else "-", abs(offset_minutes)
        value = day if kind == FilterKind.DATE else f"{day}T10:00:00{sign}{minutes // 60:02d}:{minutes % 60:02d}"

        listed = client.get(f"/api/v1/{resource}/", {name: value})
        created = post(client, "/api/v1/activities/", {"kind": "task", "subject": "Hostile", "due_at": f"{day}T10:00Z"})

        assert (listed.status_code, created.status_code) == (400, 400)
        assert field_names(listed) == [name]
        assert field_names(created) == ["due_at"]
        with alpha.active():
            assert not Activity.objects.filter(subject="Hostile").exists()

    ask()
