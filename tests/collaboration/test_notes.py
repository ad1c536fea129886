"""Notes on records: cleaned HTML, @mentions that notify only those who may see the record, one
timeline entry, author-or-admin edits, events, and every refusal (other tenant, no visibility,
no permission, bad input)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customization.events.models import DomainEvent
from modules.activities.models import Notification
from modules.collaboration.models import Note
from modules.collaboration.services.notes import create_note, delete_note, update_note
from modules.contacts.models import TimelineEntry
from tests.factories import CompanyFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail

from .conftest import OTHER_REP_EMAIL, VIEWER_EMAIL


def mention(user) -> str:
    return f'<a href="#mention-{user.pk}">@{user.display_name}</a>'


def test_a_note_is_cleaned_stored_once_on_the_timeline_and_announced(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        deal = DealFactory(owner=admin)
        result = create_note(
            record=deal,
            body="<div>Call <strong>Monday</strong><script>alert(1)</script>"
            '<a href="javascript:alert(1)" onclick="x()">bad</a> <a href="https://example.com">ok</a></div>',
            by=admin,
        )
        note = result.note
        entries = list(TimelineEntry.objects.filter(deal=deal, kind="note"))
        event = DomainEvent.objects.get(type="note.created", record_id=note.pk)

    assert note.body == (
        '<div>Call <strong>Monday</strong><a rel="noopener noreferrer nofollow">bad</a> '
        '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a></div>'
    )
    assert [entry.data for entry in entries] == [{"note_id": note.pk, "html": note.body}]
    assert event.entity == "note"
    assert event.data == {"record": {"entity": "deal", "id": deal.pk}, "mentioned": []}


def test_a_mention_notifies_who_may_see_the_record_and_names_who_may_not(alpha: TenantFixture, other_rep, viewer):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)
        body = f"<div>{mention(viewer)} and {mention(other_rep)} and {mention(admin)}</div>"
        result = create_note(record=company, body=body, by=admin)
        notifications = list(
            Notification.objects.filter(kind="mentioned").values_list("recipient_id", "entity", "record_id")
        )
        mentioned = set(result.note.mentioned.values_list("pk", flat=True))

    assert [user.pk for user in result.notified] == [viewer.pk]
    assert [user.pk for user in result.not_notified] == [other_rep.pk]  # a rep sees only their own records
    assert notifications == [(viewer.pk, "company", company.pk)]  # the writer is not told of their own mention
    assert mentioned == {viewer.pk}


def test_editing_a_note_notifies_only_the_newly_mentioned_and_keeps_one_timeline_entry(alpha: TenantFixture, viewer):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=admin)
        note = create_note(record=company, body=f"<div>{mention(viewer)}</div>", by=admin).note
        update_note(note, body=f"<div>{mention(viewer)} {mention(rep)} again</div>", by=admin)
        update_note(note, body=f"<div>{mention(viewer)} {mention(rep)} again and again</div>", by=admin)
        counts = {
            user.pk: Notification.objects.filter(recipient=user, kind="mentioned").count() for user in (viewer, rep)
        }
        entries = list(TimelineEntry.objects.filter(company=company, kind="note"))

    assert counts == {viewer.pk: 1, rep.pk: 0}  # the rep owns nothing here: they cannot see the company
    assert len(entries) == 1
    assert "again and again" in entries[0].data["html"]
    assert entries[0].data["edited"] is True


def test_only_the_author_or_an_administrator_changes_a_note(alpha: TenantFixture, other_rep):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)
        note = create_note(record=company, body="<div>mine</div>", by=rep).note
        with pytest.raises(PermissionDenied):
            update_note(note, body="<div>theirs</div>", by=other_rep)
        with pytest.raises(PermissionDenied):
            delete_note(note, by=other_rep)
        assert Note.objects.get(pk=note.pk).body == "<div>mine</div>"
        note_id = note.pk
        delete_note(note, by=admin)
        assert not Note.objects.filter(pk=note_id).exists()
        assert not TimelineEntry.objects.filter(company=company, kind="note").exists()
        assert DomainEvent.objects.filter(type="note.deleted", record_id=note_id).exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something"),
        ("<div><script>x</script></div>", "Write something"),
        ("<div>nul\x00byte</div>", "control character"),
        ("<div>" + "x" * 100_001 + "</div>", "at most"),
    ],
)
def test_bad_note_bodies_are_refused_naming_the_field_and_write_nothing(alpha: TenantFixture, body, message):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        with pytest.raises(ValidationError) as refused:
            create_note(record=company, body=body, by=alpha.user())
        assert not Note.objects.exists()
    assert message in " ".join(refused.value.message_dict["body"])


def test_the_page_writes_a_note_and_tells_the_writer_who_was_not_notified(alpha: TenantFixture, other_rep, viewer):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    client = alpha.client()
    body = f"<div>Hello {mention(viewer)} {mention(other_rep)}</div>"

    response = client.post(f"/records/company/{company.pk}/notes/", {"body": body}, follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Notified: Vera Viewer." in html
    assert "Otto Other was not notified: they cannot open this record." in html
    timeline = client.get(f"/timeline/company/{company.pk}/").content.decode()
    assert 'data-testid="timeline-note"' in timeline
    assert "Hello" in timeline


def test_a_bad_note_from_the_page_is_a_400_naming_the_field(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())

    response = alpha.client().post(f"/records/company/{company.pk}/notes/", {"body": "<div>a\x00b</div>"})

    assert response.status_code == 400
    assert 'id="note-error-form"' in response.content.decode()
    with alpha.active():
        assert not Note.objects.exists()


def test_notes_need_the_records_permissions_and_visibility(alpha: TenantFixture, other_rep, viewer):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        note = create_note(record=company, body="<div>first</div>", by=alpha.user()).note

    as_viewer = alpha.client(VIEWER_EMAIL)
    assert as_viewer.post(f"/records/company/{company.pk}/notes/", {"body": "<div>x</div>"}).status_code == 403
    assert as_viewer.get(f"/records/company/{company.pk}/mentions/?q=a").status_code == 403
    as_other = alpha.client(OTHER_REP_EMAIL)
    assert as_other.post(f"/records/company/{company.pk}/notes/", {"body": "<div>x</div>"}).status_code == 404
    assert as_other.get(f"/notes/{note.pk}/edit/").status_code == 404
    assert as_other.post(f"/notes/{note.pk}/delete/").status_code == 404
    assert as_other.get(f"/records/company/{company.pk}/panel/").status_code == 404
    assert alpha.client(REP_EMAIL).get(f"/notes/{note.pk}/edit/").status_code == 404
    with alpha.active():
        assert list(Note.objects.values_list("body", flat=True)) == ["<div>first</div>"]


def test_a_colleague_may_not_edit_a_note_they_can_see(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)
        note = create_note(record=company, body="<div>admin's</div>", by=alpha.user()).note

    client = alpha.client(REP_EMAIL)
    assert client.get(f"/notes/{note.pk}/edit/").status_code == 403
    assert client.post(f"/notes/{note.pk}/delete/").status_code == 403


def test_the_mention_list_says_who_could_open_the_record(alpha: TenantFixture, other_rep, viewer):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())

    found = alpha.client().get(f"/records/company/{company.pk}/mentions/?q=er").json()["results"]

    by_name = {row["name"]: row["can_see"] for row in found}
    assert by_name["Otto Other"] is False
    assert by_name["Vera Viewer"] is True


def test_notes_of_another_tenant_cannot_be_reached(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        note = create_note(record=company, body="<div>alpha only</div>", by=alpha.user()).note

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/records/company/{company.pk}/panel/", {}),
            ("post", f"/records/company/{company.pk}/notes/", {"body": "<div>x</div>"}),
            ("get", f"/records/company/{company.pk}/mentions/", {"q": "a"}),
            ("get", f"/notes/{note.pk}/edit/", {}),
            ("post", f"/notes/{note.pk}/edit/", {"body": "<div>x</div>"}),
            ("post", f"/notes/{note.pk}/delete/", {}),
            ("post", f"/records/company/{company.pk}/follow/", {"follow": "1"}),
        ],
    )


def test_the_timeline_costs_the_same_for_5_and_50_notes(alpha: TenantFixture, django_assert_num_queries):
    admin = alpha.user()
    with alpha.active():
        few, many = CompanyFactory(owner=admin), CompanyFactory(owner=admin)
        for index in range(5):
            create_note(record=few, body=f"<div>note {index}</div>", by=admin)
        for index in range(50):
            create_note(record=many, body=f"<div>note {index}</div>", by=admin)
    client = alpha.client()
    client.get(f"/timeline/company/{few.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        first = client.get(f"/timeline/company/{few.pk}/").content.decode()
    with CaptureQueriesContext(connection) as large:
        second = client.get(f"/timeline/company/{many.pk}/").content.decode()

    assert len(small) == len(large)
    assert len(re.findall('data-testid="timeline-note"', first)) == 5
    assert len(re.findall('data-testid="timeline-note"', second)) == 20


def test_a_deals_notes_and_files_answer_not_in_plan_without_sales(alpha: TenantFixture, private_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from modules.collaboration.models import Attachment
    from modules.collaboration.services.attachments import add_attachment
    from tests.entitlements.helpers import without_modules

    with alpha.active():
        deal = DealFactory(owner=alpha.user())
        note = create_note(record=deal, body="<div>kept</div>", by=alpha.user()).note
        attachment = add_attachment(record=deal, upload=SimpleUploadedFile("a.txt", b"a"), by=alpha.user())
    without_modules(alpha, "sales")
    client = alpha.client()

    answers = {
        client.get(f"/records/deal/{deal.pk}/panel/").status_code,
        client.post(f"/records/deal/{deal.pk}/notes/", {"body": "<div>x</div>"}).status_code,
        client.get(f"/notes/{note.pk}/edit/").status_code,
        client.get(f"/attachments/{attachment.pk}/").status_code,
        client.post(f"/records/deal/{deal.pk}/follow/", {"follow": "1"}).status_code,
    }

    assert answers == {403}
    with alpha.active():
        assert Note.objects.count() == 1
        assert Attachment.objects.count() == 1


def test_the_author_edits_and_removes_a_note_from_its_pages(alpha: TenantFixture, viewer):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)
        note = create_note(record=company, body="<div>draft</div>", by=rep).note
    client = alpha.client(REP_EMAIL)

    form = client.get(f"/notes/{note.pk}/edit/")
    edited = client.post(f"/notes/{note.pk}/edit/", {"body": f"<div>final {mention(viewer)}</div>"}, follow=True)

    assert form.status_code == 200
    assert 'value="&lt;div&gt;draft&lt;/div&gt;"' in form.content.decode()
    assert "Notified: Vera Viewer." in edited.content.decode()
    timeline = client.get(f"/timeline/company/{company.pk}/").content.decode()
    assert "final" in timeline
    assert "edited" in timeline
    assert client.post(f"/notes/{note.pk}/delete/").status_code == 302
    with alpha.active():
        assert not Note.objects.exists()
        assert not TimelineEntry.objects.filter(company=company, kind="note").exists()
