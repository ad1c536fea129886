"""Notes, files and followers in GraphQL: connections on the record types (first pages of a whole
list in fixed queries), ``noteCreate``, ``recordFollow`` and ``recordUnfollow`` through the pages'
services, within visibility, permissions, scopes and the tenant."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from modules.collaboration.models import Follow, Note
from modules.collaboration.services.attachments import add_attachment
from modules.collaboration.services.follows import follow
from modules.collaboration.services.notes import create_note
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.factories import CompanyFactory, DealFactory
from tests.sales.orders.conftest import make_order
from tests.tenancy import TenantFixture, schema_snapshot

from .conftest import OTHER_REP_EMAIL, VIEWER_EMAIL

ERRORS = "errors { field message code }"
NOTE_CREATE = (
    "mutation($record: ID!, $body: String!) { noteCreate(record: $record, body: $body) {"
    f" note {{ id body author {{ email }} mentioned {{ email }} }} notNotified {{ email }} {ERRORS} }} }}"
)
FOLLOW = f"mutation($record: ID!) {{ recordFollow(record: $record) {{ following {ERRORS} }} }}"
UNFOLLOW = f"mutation($record: ID!) {{ recordUnfollow(record: $record) {{ following {ERRORS} }} }}"
WRITTEN_ON = (
    "recordNotes(first: 3) { totalCount edges { node { body author { email } mentioned { email } } } }"
    " files(first: 3) { totalCount edges { node { name contentType size downloadUrl uploadedBy { email } } } }"
    " followers(first: 3) { totalCount edges { node { user { email } } } }"
)
COMPANIES = f"{{ companies(first: 60) {{ edges {{ node {{ name {WRITTEN_ON} }} }} }} }}"


def gid(type_name: str, pk: int) -> str:
    return to_global_id(type_name, pk)


def test_an_order_shows_its_notes_files_and_followers(alpha: TenantFixture, private_root, viewer):
    order = make_order(alpha)
    admin = alpha.user()
    with alpha.active():
        create_note(record=order, body=f'<div>Call <a href="#mention-{viewer.pk}">@Vera</a></div>', by=admin)
        add_attachment(record=order, upload=SimpleUploadedFile("po.txt", b"purchase order"), by=admin)
        follow(order, user=viewer)

    fields = f"number {WRITTEN_ON} timeline {{ totalCount }}"
    query = f'{{ node(id: "{gid("Order", order.pk)}") {{ ... on Order {{ {fields} }} }} }}'
    node = post_graphql(alpha.client(), query).json()["data"]["node"]

    [note] = node["recordNotes"]["edges"]
    [file] = node["files"]["edges"]
    assert note["node"]["mentioned"] == [{"email": viewer.email}]
    assert note["node"]["author"] == {"email": admin.email}
    assert file["node"]["name"] == "po.txt"
    assert file["node"]["contentType"] == "text/plain"
    assert re.fullmatch(
        rf"http://{alpha.host}/api/v1/orders/{order.pk}/files/\d+/download/", file["node"]["downloadUrl"]
    )
    assert node["followers"]["edges"] == [{"node": {"user": {"email": viewer.email}}}]
    assert node["timeline"]["totalCount"] == 3  # placed, the note, the file


def test_a_note_is_written_and_a_record_followed_and_unfollowed(alpha: TenantFixture, other_rep, viewer):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    record = gid("Deal", deal.pk)
    client = alpha.client()
    mentions = f'<a href="#mention-{viewer.pk}">@V</a> <a href="#mention-{other_rep.pk}">@O</a>'
    body = f"<div>Hi {mentions}<script>x</script></div>"

    written = post_graphql(client, NOTE_CREATE, {"record": record, "body": body}).json()["data"]["noteCreate"]
    followed = post_graphql(client, FOLLOW, {"record": record}).json()["data"]["recordFollow"]
    again = post_graphql(client, FOLLOW, {"record": record}).json()["data"]["recordFollow"]

    assert written["errors"] == []
    assert "<script>" not in written["note"]["body"]
    assert written["note"]["mentioned"] == [{"email": viewer.email}]
    assert written["notNotified"] == [{"email": other_rep.email}]
    assert (followed, again) == ({"following": True, "errors": []}, {"following": True, "errors": []})
    with alpha.active():
        assert Follow.objects.filter(deal=deal).count() == 1
    unfollowed = post_graphql(client, UNFOLLOW, {"record": record}).json()["data"]["recordUnfollow"]
    assert unfollowed == {"following": False, "errors": []}
    with alpha.active():
        assert not Follow.objects.exists()


def test_bad_notes_are_field_errors_and_write_nothing(alpha: TenantFixture, settings):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    client = alpha.client()

    for record, body, field in (
        (gid("Company", company.pk), "<div>a\x00b</div>", "body"),
        (gid("Company", company.pk), "<p> </p>", "body"),
        (gid("Company", company.pk), "<div>" + "x" * settings.NOTE_MAX_LENGTH + "</div>", "body"),
        (gid("Tag", company.pk), "<div>x</div>", "record"),
        ("not-an-id", "<div>x</div>", "record"),
        (gid("Company", 987654), "<div>x</div>", "record"),
    ):
        answer = post_graphql(client, NOTE_CREATE, {"record": record, "body": body}).json()
        payload = answer["data"]["noteCreate"]
        assert payload["note"] is None, field
        assert [error["field"] for error in payload["errors"]] == [field], (field, payload["errors"])
    with alpha.active():
        assert not Note.objects.exists()


def test_roles_visibility_and_scopes_decide_who_writes_and_follows(alpha: TenantFixture, other_rep, viewer):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    record = gid("Deal", deal.pk)
    _key, reader_token = issue_key(alpha, scopes=("sales:read",))
    _key, contacts_token = issue_key(alpha, scopes=("contacts:read", "contacts:write"), name="c")

    def codes(client, query):
        payload = next(
            iter(post_graphql(client, query, {"record": record, "body": "<div>x</div>"}).json()["data"].values())
        )
        return [error["code"] for error in payload["errors"]]

    assert codes(alpha.client(OTHER_REP_EMAIL), NOTE_CREATE) == ["NOT_FOUND"]
    assert codes(alpha.client(OTHER_REP_EMAIL), FOLLOW) == ["NOT_FOUND"]
    assert codes(alpha.client(VIEWER_EMAIL), NOTE_CREATE) == ["PERMISSION_DENIED"]
    assert codes(alpha.client(VIEWER_EMAIL), FOLLOW) == []  # seeing is enough to follow
    assert codes(bearer_client(alpha, reader_token), NOTE_CREATE) == ["PERMISSION_DENIED"]
    assert codes(bearer_client(alpha, reader_token), FOLLOW) == ["PERMISSION_DENIED"]
    assert codes(bearer_client(alpha, contacts_token), NOTE_CREATE) == ["PERMISSION_DENIED"]
    read = post_graphql(
        bearer_client(alpha, contacts_token),
        f'{{ node(id: "{record}") {{ ... on Deal {{ recordNotes {{ totalCount }} }} }} }}',
    ).json()
    assert read["data"]["node"] is None
    with alpha.active():
        assert not Note.objects.exists()
        assert list(Follow.objects.values_list("user_id", flat=True)) == [viewer.pk]


def test_another_tenant_cannot_read_or_write_on_a_record(alpha: TenantFixture, beta: TenantFixture):
    order = make_order(alpha)
    with alpha.active():
        create_note(record=order, body="<div>alpha only</div>", by=alpha.user())
    record = gid("Order", order.pk)
    before = schema_snapshot(alpha.tenant)
    client = beta.client()

    read = post_graphql(
        client, f'{{ node(id: "{record}") {{ ... on Order {{ recordNotes {{ totalCount }} }} }} }}'
    ).json()
    wrote = post_graphql(client, NOTE_CREATE, {"record": record, "body": "<div>x</div>"}).json()
    followed = post_graphql(client, FOLLOW, {"record": record}).json()

    assert read["data"]["node"] is None
    assert [error["code"] for error in wrote["data"]["noteCreate"]["errors"]] == ["NOT_FOUND"]
    assert [error["code"] for error in followed["data"]["recordFollow"]["errors"]] == ["NOT_FOUND"]
    assert schema_snapshot(alpha.tenant) == before


def test_a_list_with_notes_files_and_followers_costs_the_same_for_5_and_50_records(
    alpha: TenantFixture, private_root, viewer
):
    admin = alpha.user()
    client = alpha.client()

    def add(count: int) -> None:
        with alpha.active():
            for index in range(count):
                company = CompanyFactory(owner=admin, name=f"Written {index}")
                for n in range(2):
                    create_note(record=company, body=f'<div>{n} <a href="#mention-{viewer.pk}">@V</a></div>', by=admin)
                add_attachment(record=company, upload=SimpleUploadedFile("a.txt", b"a"), by=admin)
                follow(company, user=viewer)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            body = post_graphql(client, COMPANIES).json()
        assert "errors" not in body, body
        edges = body["data"]["companies"]["edges"]
        assert all(edge["node"]["recordNotes"]["totalCount"] == 2 for edge in edges)
        return len(captured.captured_queries), len(edges)

    add(5)
    few, five = count()
    add(45)
    many, fifty = count()

    assert (five, fifty) == (5, 50)
    assert many == few
