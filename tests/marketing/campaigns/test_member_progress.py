"""Campaign members follow what people do (``services.member_progress``, an outbox consumer): a
campaign e-mail handed over makes its recipients members "sent", a click "responded"; a submission
of the campaign's web form makes its lead a member "responded"; members already further along stay;
a redelivered batch changes nothing; e-mails without a campaign add nobody."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from customization.events.dispatcher import dispatch_pending
from customization.events.models import DomainEvent
from customization.events.outbox import emit
from modules.marketing.choices import MemberStatus
from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services.engagement import note, note_sent_many
from modules.marketing.email.services.emails import create_email
from modules.marketing.models import CampaignMember, MarketingEmail
from modules.marketing.services.campaigns import add_members
from modules.marketing.services.member_progress import consume
from modules.sales.models import Lead
from tests.factories import ContactFactory
from tests.marketing.campaigns.conftest import make_campaign
from tests.marketing.forms.conftest import filled, make_form, post_json
from tests.tenancy import TenantFixture


def _statuses(campaign_id: int) -> dict[int, str]:
    members = CampaignMember.objects.filter(campaign_id=campaign_id)
    return {member.contact_id or member.lead_id: member.status for member in members}


def test_a_campaign_emails_recipients_become_members_sent_then_responded(alpha: TenantFixture) -> None:
    campaign = make_campaign(alpha, name="Autumn offers")
    with alpha.active():
        ana, bob, cleo, dan = ContactFactory.create_batch(4)
        email, no_campaign = create_email(by=None, name="Autumn"), create_email(by=None, name="Plain")
        MarketingEmail.objects.filter(pk=email.pk).update(campaign=campaign)
        add_members(campaign, by=None, contacts=[dan], status=MemberStatus.ATTENDED)
        DomainEvent.objects.all().delete()
        now = timezone.now()

        note_sent_many([(email.pk, ana.pk), (email.pk, bob.pk), (email.pk, dan.pk), (no_campaign.pk, cleo.pk)], at=now)
        note(Recipient(email_id=email.pk, contact_id=bob.pk), "clicked", url="https://example.com/offer")
        dispatch_pending()

        assert _statuses(campaign.pk) == {
            ana.pk: MemberStatus.SENT, bob.pk: MemberStatus.RESPONDED, dan.pk: MemberStatus.ATTENDED,
        }  # fmt: skip
        bob_member = CampaignMember.objects.get(campaign=campaign, contact=bob)
        assert bob_member.responded_at is not None
        added = DomainEvent.objects.filter(type="campaign.member_added", record_id=campaign.pk)
        assert sorted(event.data["contact"] for event in added) == sorted([ana.pk, bob.pk])
        assert not CampaignMember.objects.filter(contact=cleo).exists()

        # A later click moves Ana up; redelivering every event changes nothing more.
        note(Recipient(email_id=email.pk, contact_id=ana.pk), "clicked", url="https://example.com/offer",
             at=now + timedelta(minutes=5))  # fmt: skip
        dispatch_pending()
        changed = DomainEvent.objects.get(type="campaign.member_status_changed", data__contact=ana.pk)
        assert changed.data["from_status"] == MemberStatus.SENT
        events = DomainEvent.objects.count()
        consume(list(DomainEvent.objects.filter(type__startswith="marketing_email.")))
        assert DomainEvent.objects.count() == events
        assert _statuses(campaign.pk)[ana.pk] == MemberStatus.RESPONDED
        assert CampaignMember.objects.get(pk=bob_member.pk).responded_at == bob_member.responded_at


def test_a_submission_of_a_campaigns_form_makes_its_lead_a_member_who_responded(alpha: TenantFixture) -> None:
    campaign = make_campaign(alpha, name="Spring fair")
    with alpha.active():
        form = make_form(campaign=campaign)

    response = post_json(alpha.client(None), form, filled(alpha, form))

    assert response.status_code == 200, response.content
    with alpha.active():
        dispatch_pending()
        lead = Lead.objects.get(email="ada@example.test")
        assert _statuses(campaign.pk) == {lead.pk: MemberStatus.RESPONDED}


def test_events_of_other_records_or_without_an_id_are_left_alone(alpha: TenantFixture) -> None:
    campaign = make_campaign(alpha)
    with alpha.active():
        contact = ContactFactory()
        email = create_email(by=None, name="Autumn")
        MarketingEmail.objects.filter(pk=email.pk).update(campaign=campaign)
        emit("marketing_email.sent", contact, entity="contact", data={"id": str(email.pk)})
        emit("marketing_email.sent", contact, entity="contact", data={})
        emit("marketing_email.sent", campaign, entity="campaign", data={"id": email.pk})
        dispatch_pending()
        assert not CampaignMember.objects.exists()
