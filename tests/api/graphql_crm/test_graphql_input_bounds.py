"""Hostile values over GraphQL: control characters in text, dates beyond the platform's window and
offsets PostgreSQL refuses, in mutation inputs and in every date argument of the root connections,
are a client error naming the field, never "Internal server error.", and nothing is written."""

from datetime import date

import pytest
from graphene.utils.str_converters import to_camel_case
from hypothesis import given, settings
from hypothesis import strategies as st

from api.entities import ENTITIES, FilterKind
from modules.activities.models import Activity
from modules.contacts.models import Contact
from tests.api.helpers import post_graphql
from tests.tenancy import TenantFixture, schema_snapshot

WINDOW = "Enter a date between the years 1000 and 8999."
OFFSET = "Give a time zone offset between -15:59 and +15:59."
DATE_ARGUMENTS = [
    (to_camel_case(description.resource), to_camel_case(spec.name), spec.kind)
    for description in ENTITIES
    for spec in description.filters
    if spec.kind in (FilterKind.DATETIME, FilterKind.DATE)
]
CONTACT_CREATE = """
mutation Create($input: ContactInput!) {
  contactCreate(input: $input) { contact { fullName } errors { field message code } }
}
"""
ACTIVITY_CREATE = """
mutation Create($input: ActivityInput!) {
  activityCreate(input: $input) { activity { subject } errors { field message code } }
}
"""


def _listed(client, connection: str, argument: str, kind: str, value: str):
    scalar = "Date" if kind == FilterKind.DATE else "DateTime"
    query = f"query List($value: {scalar}) {{ {connection}(first: 1, {argument}: $value) {{ totalCount }} }}"
    return post_graphql(client, query, {"value": value})


@pytest.mark.parametrize(("connection", "argument", "kind"), DATE_ARGUMENTS)
def test_every_date_argument_refuses_what_the_database_cannot_compare_by_name(
    alpha: TenantFixture, connection: str, argument: str, kind: str
):
    beyond = "0999-12-31" if kind == FilterKind.DATE else "2020-01-01T00:00:00+16:00"

    response = _listed(alpha.client(), connection, argument, kind, beyond)

    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {connection: None}
    message = WINDOW if kind == FilterKind.DATE else OFFSET
    assert [(error["message"], error["extensions"]) for error in body["errors"]] == [
        (f"{argument}: {message}", {"code": "BAD_USER_INPUT", "field": argument})
    ]


def test_a_nul_in_a_contact_names_the_field_and_writes_nothing(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = post_graphql(client, CONTACT_CREATE, {"input": {"lastName": "Curie", "jobTitle": "Ph\x00D"}})

    assert response.json()["data"]["contactCreate"] == {
        "contact": None,
        "errors": [{"field": "jobTitle", "message": "Remove the control character U+0000: text cannot hold it.",
                    "code": "INVALID"}],
    }  # fmt: skip
    assert schema_snapshot(alpha.tenant) == before


def test_a_meeting_at_the_end_of_time_names_due_at_and_writes_nothing(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = post_graphql(
        client, ACTIVITY_CREATE, {"input": {"kind": "MEETING", "subject": "Forever", "dueAt": "9999-12-31T23:59:59Z"}}
    )

    assert response.json()["data"]["activityCreate"] == {
        "activity": None,
        "errors": [{"field": "dueAt", "message": WINDOW, "code": "INVALID"}],
    }
    assert schema_snapshot(alpha.tenant) == before


CONTROL = st.characters(categories=["Cc"], exclude_characters="\t\n\r")
LETTERS = st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=5)
# letters on both sides: a control character at either end would be stripped with the whitespace
HOSTILE_TEXT = st.builds(lambda head, control, tail: f"{head}{control}{tail}", LETTERS, CONTROL, LETTERS)
YEARS_BEYOND = st.integers(min_value=1, max_value=999) | st.integers(min_value=9000, max_value=9999)
OFFSETS_BEYOND = st.integers(min_value=16 * 60, max_value=23 * 60 + 59).map(
    lambda minutes: f"{'+' if minutes % 2 else '-'}{minutes // 60:02d}:{minutes % 60:02d}"
)


def test_any_hostile_text_or_moment_is_refused_by_name(alpha: TenantFixture):
    client = alpha.client()

    @settings(max_examples=15)
    @given(
        field=st.sampled_from(["firstName", "lastName", "jobTitle", "description", "city"]),
        text=HOSTILE_TEXT,
        year=YEARS_BEYOND,
        offset=OFFSETS_BEYOND,
        argument_index=st.integers(min_value=0, max_value=len(DATE_ARGUMENTS) - 1),
    )
    def send(field: str, text: str, year: int, offset: str, argument_index: int) -> None:
        connection, argument, kind = DATE_ARGUMENTS[argument_index]
        day = date(year, 6, 15).isoformat()
        moment = f"2030-06-15T10:00:00{offset}" if year % 2 else f"{day}T10:00:00Z"

        contact = post_graphql(client, CONTACT_CREATE, {"input": {"lastName": "Curie", field: text}})
        activity = post_graphql(
            client, ACTIVITY_CREATE, {"input": {"kind": "TASK", "subject": "Hostile", "dueAt": moment}}
        )
        listed = _listed(client, connection, argument, kind, day if kind == FilterKind.DATE else moment)

        assert [error["field"] for error in contact.json()["data"]["contactCreate"]["errors"]] == [field]
        assert [error["field"] for error in activity.json()["data"]["activityCreate"]["errors"]] == ["dueAt"]
        assert [error["extensions"] for error in listed.json()["errors"]] == [
            {"code": "BAD_USER_INPUT", "field": argument}
        ]
        with alpha.active():
            assert not Contact.objects.exists()
            assert not Activity.objects.filter(subject="Hostile").exists()

    send()
