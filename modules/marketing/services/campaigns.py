"""Campaigns and their members: the only writer of both. Every write validates within the
platform's input bounds (errors name the field), writes its outbox events (``campaign.created`` /
``updated`` / ``deleted``, ``campaign.member_added`` / ``member_status_changed`` /
``member_removed``) and the members' ``campaign`` timeline entries in its own transaction.

A member is a contact or a lead. Adding members is idempotent (the ones already in the campaign
are left as they are) and costs a fixed number of queries however many are added. A member that
reaches "responded" or further has ``responded_at`` stamped once; that response is a touch of the
campaign for attribution (``modules.marketing.attribution``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customization.events.outbox import emit, emit_many
from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Contact, TimelineEntry
from modules.contacts.services.records import (
    _custom_changes,
    check_fields,
    new_custom_values,
    record_event,
    validated,
)
from modules.contacts.services.timeline import field_changes
from modules.marketing.choices import MemberStatus
from modules.marketing.models import Campaign, CampaignMember
from modules.sales.models import Lead

FIELDS = (
    "name", "kind", "status", "parent", "owner", "start_date", "end_date", "currency", "budget", "actual_cost",
    "expected_revenue", "description", "custom",
)  # fmt: skip
ENTITY = "campaign"
# Statuses that mean the member answered: reaching one stamps ``responded_at``.
RESPONSE_STATUSES = frozenset({MemberStatus.RESPONDED, MemberStatus.REGISTERED, MemberStatus.ATTENDED})
# How many members one call may add (a segment of more goes in several calls).
MAX_MEMBERS_PER_CALL = 10_000


def _check_parent(campaign: Campaign) -> None:
    """A campaign's parent may not be itself or one of its own sub-campaigns."""
    if campaign.parent_id is None or campaign.pk is None:
        return
    seen = {campaign.pk}
    current: int | None = campaign.parent_id
    parents = dict(Campaign.objects.exclude(parent=None).values_list("pk", "parent_id"))
    while current is not None:
        if current in seen:
            raise ValidationError({"parent": [_("A campaign cannot be inside one of its own sub-campaigns.")]})
        seen.add(current)
        current = parents.get(current)


def create_campaign(*, by: User | None, **values: Any) -> Campaign:
    check_fields(Campaign, values, FIELDS)
    values["custom"] = new_custom_values(Campaign, values.get("custom"))
    campaign = Campaign(created_by=by, **values)
    validated(campaign)
    with transaction.atomic():
        campaign.save()
        record_event("created", campaign, by=by, data={"name": campaign.name, "kind": campaign.kind})
    return campaign


def update_campaign(campaign: Campaign, *, by: User | None, **values: Any) -> Campaign:
    """Change a campaign's fields; nothing is written when nothing changes."""
    check_fields(Campaign, values, FIELDS)
    custom = values.pop("custom", None)
    changes = field_changes(campaign, values)
    with transaction.atomic():
        for name, value in values.items():
            setattr(campaign, name, value)
        if custom is not None:
            changes.extend(_custom_changes(campaign, custom))
        if not changes:
            return campaign
        validated(campaign)
        _check_parent(campaign)
        campaign.save()
        record_event("updated", campaign, by=by, data={"changes": changes})
    return campaign


def delete_campaign(campaign: Campaign, *, by: User | None) -> None:
    """Delete a campaign and its members; its sub-campaigns stay, without a parent. The members'
    timelines keep their entries."""
    with transaction.atomic():
        record_event("deleted", campaign, by=by, data={"name": campaign.name})
        campaign.delete()


def _entry(campaign: Campaign, member: CampaignMember, action: str, by: User | None, **extra: Any) -> TimelineEntry:
    return TimelineEntry(
        kind=TimelineKind.CAMPAIGN,
        actor=by,
        contact_id=member.contact_id,
        lead_id=member.lead_id,
        data={
            "action": action,
            "campaign": campaign.pk,
            "name": campaign.name,
            "status": member.status,
            "status_label": str(MemberStatus(member.status).label),
            **extra,
        },
    )


def _event_data(campaign: Campaign, member: CampaignMember, **extra: Any) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "member": member.pk,
        "contact": member.contact_id,
        "lead": member.lead_id,
        "status": member.status,
        **extra,
    }


def _ids(records: Iterable[Any]) -> list[int]:
    return sorted({record if isinstance(record, int) else record.pk for record in records})


def add_members(
    campaign: Campaign,
    *,
    by: User | None,
    contacts: Iterable[Contact | int] = (),
    leads: Iterable[Lead | int] = (),
    status: str = MemberStatus.TARGETED,
) -> list[CampaignMember]:
    """Add contacts and leads (records or ids) to ``campaign`` with ``status``; those already in
    it stay as they are. Returns the members added."""
    if status not in MemberStatus.values:
        raise ValidationError({"status": [_("Choose a valid member status.")]})
    contact_ids, lead_ids = _ids(contacts), _ids(leads)
    if len(contact_ids) + len(lead_ids) > MAX_MEMBERS_PER_CALL:
        raise ValidationError(
            {"members": [_("Add at most %(count)d members at a time.") % {"count": MAX_MEMBERS_PER_CALL}]}
        )
    # Ids that name no record are refused rather than silently skipped.
    if contact_ids and Contact.objects.filter(pk__in=contact_ids).count() != len(contact_ids):
        raise ValidationError({"contacts": [_("Some of these contacts do not exist.")]})
    if lead_ids and Lead.objects.filter(pk__in=lead_ids).count() != len(lead_ids):
        raise ValidationError({"leads": [_("Some of these leads do not exist.")]})
    now = timezone.now()
    responded_at = now if status in RESPONSE_STATUSES else None
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        present_contacts = set(campaign.members.filter(contact_id__in=contact_ids).values_list("contact_id", flat=True))
        present_leads = set(campaign.members.filter(lead_id__in=lead_ids).values_list("lead_id", flat=True))
        new = [
            CampaignMember(campaign=campaign, contact_id=pk, status=status, responded_at=responded_at)
            for pk in contact_ids
            if pk not in present_contacts
        ] + [
            CampaignMember(campaign=campaign, lead_id=pk, status=status, responded_at=responded_at)
            for pk in lead_ids
            if pk not in present_leads
        ]
        if not new:
            return []
        CampaignMember.objects.bulk_create(new)
        TimelineEntry.objects.bulk_create(_entry(campaign, member, "added", by) for member in new)
        emit_many(
            "campaign.member_added",
            entity=ENTITY,
            records=[(campaign.pk, _event_data(campaign, member)) for member in new],
            actor=by,
        )
        if responded_at is not None:
            _touch_responses(campaign, new)
    return new


def set_member_status(member: CampaignMember, status: str, *, by: User | None) -> CampaignMember:
    """Move a member to ``status``; the first response (responded, registered, attended) is
    stamped in ``responded_at`` and kept when the member moves on."""
    if status not in MemberStatus.values:
        raise ValidationError({"status": [_("Choose a valid member status.")]})
    with transaction.atomic():
        member = CampaignMember.objects.select_for_update().select_related("campaign").get(pk=member.pk)
        previous = member.status
        if previous == status:
            return member
        member.status = status
        first_response = status in RESPONSE_STATUSES and member.responded_at is None
        if first_response:
            member.responded_at = timezone.now()
        member.save(update_fields=["status", "responded_at", "updated_at"])
        campaign = member.campaign
        _entry(campaign, member, "status_changed", by, from_status=previous).save()
        emit(
            "campaign.member_status_changed",
            campaign,
            entity=ENTITY,
            actor=by,
            data=_event_data(campaign, member, from_status=previous),
        )
        if first_response:
            _touch_responses(campaign, [member])
    return member


def remove_members(campaign: Campaign, member_ids: Iterable[int], *, by: User | None) -> int:
    """Take members out of ``campaign``; the touches their responses made stay (they happened)."""
    with transaction.atomic():
        members = list(campaign.members.filter(pk__in=list(member_ids)).select_for_update())
        if not members:
            return 0
        TimelineEntry.objects.bulk_create(_entry(campaign, member, "removed", by) for member in members)
        emit_many(
            "campaign.member_removed",
            entity=ENTITY,
            records=[(campaign.pk, _event_data(campaign, member)) for member in members],
            actor=by,
        )
        CampaignMember.objects.filter(pk__in=[member.pk for member in members]).delete()
    return len(members)


def _touch_responses(campaign: Campaign, members: list[CampaignMember]) -> None:
    # Imported here: attribution reads campaigns, so its services import this module's models.
    from modules.marketing.attribution.choices import TouchKind
    from modules.marketing.attribution.services import record_touches

    record_touches(
        campaign,
        [(member.contact_id, member.lead_id, _responded(member)) for member in members],
        kind=TouchKind.RESPONDED,
    )


def _responded(member: CampaignMember) -> datetime:
    return member.responded_at or timezone.now()


def create_member(
    *, by: User | None, campaign: Campaign | None = None, contact: Contact | None = None, lead: Lead | None = None,
    status: str | None = None,
) -> CampaignMember:  # fmt: skip
    """One member, for the APIs: a contact or a lead not yet in the campaign."""
    if campaign is None:
        raise ValidationError({"campaign": [_("Choose a campaign.")]})
    status = status or MemberStatus.TARGETED
    if (contact is None) == (lead is None):
        raise ValidationError({"contact": [_("A member is either a contact or a lead.")]})
    added = add_members(
        campaign, by=by, contacts=[contact] if contact else (), leads=[lead] if lead else (), status=status
    )
    if not added:
        field = "contact" if contact is not None else "lead"
        raise ValidationError({field: [_("Already a member of this campaign.")]})
    return added[0]


def update_member(member: CampaignMember, *, by: User | None, **values: Any) -> CampaignMember:
    """The APIs' update: only the status changes (a member's contact or lead stays)."""
    check_fields(CampaignMember, values, ("status",))
    if "status" in values:
        return set_member_status(member, values["status"], by=by)
    return member


def delete_member(member: CampaignMember, *, by: User | None) -> None:
    remove_members(member.campaign, [member.pk], by=by)
