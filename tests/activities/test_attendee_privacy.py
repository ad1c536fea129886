"""Meeting attendee rows are personal data: a contact's export holds them and erasure removes them,
linked to the contact or only sharing one of its addresses; other people's rows stay."""

from modules.activities.models import ActivityAttendee
from modules.contacts.services.data_subject import erase_contact, export_contact
from tests.factories import ActivityFactory, ContactFactory
from tests.tenancy import TenantFixture


def test_export_and_erasure_cover_the_contacts_attendee_rows(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", additional_emails=["ana.p@home.example"])
        meeting = ActivityFactory(kind="meeting")
        other_meeting = ActivityFactory(kind="meeting")
        linked = ActivityAttendee.objects.create(activity=meeting, email="ana@acme.example", contact=contact)
        by_address = ActivityAttendee.objects.create(activity=other_meeting, email="Ana.P@home.example", name="Ana")
        someone_else = ActivityAttendee.objects.create(activity=meeting, email="bo@acme.example")

        exported = export_contact(contact, by=alpha.user())["related"]
        erase_contact(contact, by=alpha.user())
        left = set(ActivityAttendee.objects.values_list("pk", flat=True))

    exported_ids = {row["id"] for rows in exported.values() for row in rows if "email" in row and "activity_id" in row}
    assert exported_ids == {linked.pk, by_address.pk}
    assert left == {someone_else.pk}
