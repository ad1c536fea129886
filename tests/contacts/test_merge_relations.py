"""A merge moves what every module holds about the duplicate, relations without a reverse
accessor included, and settles rows that would break a uniqueness rule instead of failing."""

from __future__ import annotations

from modules.collaboration.models import Follow
from modules.contacts.services.merge import merge_contacts
from modules.marketing.models import Segment, SegmentMember
from modules.service.contact_centre.models import Call
from modules.service.portal.models import PortalUser
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture


def test_memberships_follows_calls_and_one_to_ones_are_moved_or_settled(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user()
        survivor = ContactFactory(first_name="Ana", email="ana@acme.example")
        duplicate = ContactFactory(first_name="Ana", email="ana.p@acme.example")
        both, only_duplicate = Segment.objects.create(name="Both"), Segment.objects.create(name="Only the duplicate")
        for segment, contact in ((both, survivor), (both, duplicate), (only_duplicate, duplicate)):
            SegmentMember.objects.create(segment=segment, contact=contact)
        Follow.objects.create(user=admin, contact=survivor)
        Follow.objects.create(user=admin, contact=duplicate)
        call = Call.objects.create(
            provider_sid="CA-merge-1", direction="inbound", customer_number="+40721000000",
            workspace_number="+40310000000", contact=duplicate,
        )  # fmt: skip
        kept_account = PortalUser.objects.create(contact=survivor, email="ana@acme.example")
        PortalUser.objects.create(contact=duplicate, email="ana.p@acme.example")

        merge_contacts(survivor, duplicate, by=admin)

        assert set(SegmentMember.objects.filter(contact=survivor).values_list("segment_id", flat=True)) == {
            both.pk,
            only_duplicate.pk,
        }
        assert Follow.objects.filter(user=admin, contact=survivor).count() == 1
        call.refresh_from_db()
        assert call.contact_id == survivor.pk
        assert list(PortalUser.objects.filter(contact=survivor)) == [kept_account]
        assert not PortalUser.objects.filter(email="ana.p@acme.example").exists()
