"""The campaign service: the only writer of campaigns and members, its events, timeline entries,
bounds and the touches that responses make."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customization.events.models import DomainEvent
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.marketing.attribution.models import SourceCampaign, Touch
from modules.marketing.choices import MemberStatus
from modules.marketing.models import Campaign, CampaignMember
from modules.marketing.services.campaigns import (
    add_members,
    delete_campaign,
    remove_members,
    set_member_status,
    update_campaign,
)
from tests.factories import ContactFactory, LeadFactory
from tests.marketing.campaigns.conftest import make_campaign
from tests.tenancy import TenantFixture


def test_creating_updating_and_deleting_write_their_events(alpha: TenantFixture):
    campaign = make_campaign(alpha, budget=Decimal("500.00"))
    with alpha.active():
        update_campaign(campaign, by=alpha.user(), status="active", actual_cost=Decimal("120.50"))
        update_campaign(campaign, by=alpha.user(), status="active")  # no change: no event
        types = list(DomainEvent.objects.filter(record_id=campaign.pk).order_by("pk").values_list("type", flat=True))
        campaign.refresh_from_db()
        assert (campaign.status, campaign.actual_cost) == ("active", Decimal("120.50"))
        pk = campaign.pk
        delete_campaign(campaign, by=alpha.user())
        assert not Campaign.objects.filter(pk=pk).exists()
        assert DomainEvent.objects.filter(type="campaign.deleted", record_id=pk).count() == 1
    assert types == ["campaign.created", "campaign.updated"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "Bad\x00name"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"budget": Decimal("-1")}, "budget"),
        ({"kind": "billboard"}, "kind"),
        ({"start_date": "9999-01-01"}, "start_date"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(alpha: TenantFixture, values: dict, field: str):
    with pytest.raises(ValidationError) as refused:
        make_campaign(alpha, **values)
    assert field in refused.value.message_dict
    with alpha.active():
        assert not Campaign.objects.exists()


def test_dates_in_order_and_no_parent_loop(alpha: TenantFixture):
    today = timezone.localdate()
    parent = make_campaign(alpha, name="Parent")
    child = make_campaign(alpha, name="Child", parent=parent)
    with alpha.active(), pytest.raises(ValidationError) as loop:
        update_campaign(parent, by=alpha.user(), parent=child)
    with pytest.raises(ValidationError) as dates:
        make_campaign(alpha, name="Backwards", start_date=today, end_date=today - timedelta(days=1))
    assert "parent" in loop.value.message_dict
    assert dates.value.messages
    with alpha.active():
        parent.refresh_from_db()
        assert parent.parent_id is None


def test_adding_members_is_idempotent_and_writes_timeline_entries_and_events(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        contacts = ContactFactory.create_batch(3)
        lead = LeadFactory()
        first = add_members(campaign, by=alpha.user(), contacts=contacts[:2], leads=[lead])
        again = add_members(campaign, by=alpha.user(), contacts=contacts, leads=[lead.pk])
        assert len(first) == 3
        assert [member.contact_id for member in again] == [contacts[2].pk]
        assert CampaignMember.objects.filter(campaign=campaign).count() == 4
        assert DomainEvent.objects.filter(type="campaign.member_added", record_id=campaign.pk).count() == 4
        entries = TimelineEntry.objects.filter(kind=TimelineKind.CAMPAIGN)
        assert entries.filter(contact__in=contacts).count() == 3
        assert entries.get(lead=lead).data["campaign"] == campaign.pk
        assert not Touch.objects.exists()  # targeted is no response


def test_adding_ids_that_name_nothing_is_refused(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        contact = ContactFactory()
        with pytest.raises(ValidationError) as refused:
            add_members(campaign, by=alpha.user(), contacts=[contact.pk, contact.pk + 10_000])
        with pytest.raises(ValidationError) as bad_status:
            add_members(campaign, by=alpha.user(), contacts=[contact], status="maybe")
        assert not CampaignMember.objects.exists()
    assert "contacts" in refused.value.message_dict
    assert "status" in bad_status.value.message_dict


def test_a_response_is_stamped_once_and_is_a_touch_that_sets_the_source(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        contact = ContactFactory()
        (member,) = add_members(campaign, by=alpha.user(), contacts=[contact], status=MemberStatus.SENT)
        set_member_status(member, MemberStatus.RESPONDED, by=alpha.user())
        member.refresh_from_db()
        stamped = member.responded_at
        set_member_status(member, MemberStatus.ATTENDED, by=alpha.user())
        member.refresh_from_db()
        assert stamped is not None
        assert member.responded_at == stamped
        assert member.status == MemberStatus.ATTENDED
        assert Touch.objects.filter(campaign=campaign, contact=contact).count() == 1
        assert SourceCampaign.objects.get(contact=contact).campaign_id == campaign.pk
        changes = DomainEvent.objects.filter(type="campaign.member_status_changed").order_by("pk")
        assert [event.data["status"] for event in changes] == ["responded", "attended"]
        assert changes[0].data["from_status"] == "sent"


def test_removing_members_keeps_other_campaigns_members(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    other = make_campaign(alpha, name="Other")
    with alpha.active():
        contact = ContactFactory()
        (member,) = add_members(campaign, by=alpha.user(), contacts=[contact])
        (foreign,) = add_members(other, by=alpha.user(), contacts=[contact])
        assert remove_members(campaign, [member.pk, foreign.pk], by=alpha.user()) == 1
        assert list(CampaignMember.objects.values_list("pk", flat=True)) == [foreign.pk]
        assert DomainEvent.objects.filter(type="campaign.member_removed").count() == 1
