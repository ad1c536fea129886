"""Records with campaign touches, shared by the card and the API tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.services import record_touch
from modules.sales.models import Deal
from tests.factories import ContactFactory, DealFactory, LeadFactory
from tests.marketing.campaigns.conftest import make_campaign
from tests.tenancy import TenantFixture


def touched_records(alpha: TenantFixture) -> tuple[object, object, Deal]:
    """Webinar (30 days ago) and Newsletter (10 days ago) touch a contact, Trade show its lead;
    a deal of the contact created 5 days ago, touched by Retargeting; Late news touches the
    contact after the deal was created."""
    webinar, newsletter = make_campaign(alpha, name="Webinar"), make_campaign(alpha, name="Newsletter")
    show, ads, late = (make_campaign(alpha, name=name) for name in ("Trade show", "Retargeting", "Late news"))
    now = timezone.now()
    with alpha.active():
        lead = LeadFactory()
        contact = ContactFactory(owner=alpha.user())
        deal = DealFactory(contact=contact, lead=lead, owner=alpha.user())
        Deal.objects.filter(pk=deal.pk).update(created_at=now - timedelta(days=5))
        deal.refresh_from_db()
        record_touch(newsletter, kind=TouchKind.EMAIL_CLICK, contact=contact, occurred_at=now - timedelta(days=10))
        record_touch(webinar, kind=TouchKind.RESPONDED, contact=contact, occurred_at=now - timedelta(days=30))
        record_touch(show, kind=TouchKind.FORM, lead=lead, occurred_at=now - timedelta(days=20))
        record_touch(ads, kind=TouchKind.AD_CLICK, deal=deal, occurred_at=now - timedelta(days=1))
        record_touch(late, kind=TouchKind.EMAIL_CLICK, contact=contact, occurred_at=now - timedelta(days=2))
    return contact, lead, deal
