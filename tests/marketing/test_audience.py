"""A segment's contacts less the suppressed addresses, whatever their case."""

from __future__ import annotations

from modules.marketing.choices import SuppressionReason
from modules.marketing.models import Segment, SegmentMember, Suppression
from modules.marketing.selectors.audience import is_suppressed, segment_contacts, without_suppressed
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture


def test_a_segments_audience_leaves_out_suppressed_and_addressless_contacts(alpha: TenantFixture) -> None:
    with alpha.active():
        segment = Segment.objects.create(name="Newsletter readers")
        kept = ContactFactory(email="ana@example.com")
        bounced = ContactFactory(email="Ion@Example.com")
        silent = ContactFactory(email="")
        ContactFactory(email="outside@example.com")
        for contact in (kept, bounced, silent):
            SegmentMember.objects.create(segment=segment, contact=contact)
        Suppression.objects.create(email="ion@example.com", reason=SuppressionReason.HARD_BOUNCE)

        assert set(segment_contacts(segment)) == {kept, bounced, silent}
        assert list(without_suppressed(segment_contacts(segment))) == [kept]
        assert is_suppressed(" ION@example.com ")
        assert not is_suppressed("ana@example.com")
        assert not is_suppressed("")
