"""Leads: capture, qualify, and convert into company + contact + deal in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customization.fields.choices import Entity
from customization.fields.validation import definitions_for
from identity.models import User
from modules.contacts.choices import LifecycleStage, TimelineKind
from modules.contacts.models import Company, Contact
from modules.contacts.services.companies import create_company
from modules.contacts.services.contacts import create_contact
from modules.contacts.services.records import apply_update, check_fields, new_custom_values, record_event, validated
from modules.contacts.services.timeline import record_entry
from modules.sales.choices import LeadStatus
from modules.sales.models import Deal, Lead, Pipeline, Stage
from modules.sales.services.deals import create_deal

LEAD_FIELDS = (
    "first_name", "last_name", "company_name", "job_title", "email", "phone", "website", "country", "source",
    "status", "estimated_value", "currency", "description", "owner", "tags", "custom",
)  # fmt: skip


def _require_a_name(lead: Lead) -> None:
    if not (lead.first_name.strip() or lead.last_name.strip() or lead.company_name.strip()):
        raise ValidationError({"last_name": [_("A lead needs a person's or a company's name.")]})


def create_lead(*, by: User | None, **values: Any) -> Lead:
    tags = values.pop("tags", None) or []
    check_fields(Lead, values, LEAD_FIELDS)
    values.setdefault("owner", by)
    if values.get("status") == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("A lead becomes converted by converting it.")]})
    values["custom"] = new_custom_values(Lead, values.get("custom"))
    lead = Lead(created_by=by, **values)
    _require_a_name(lead)
    validated(lead, exclude=["full_name"])
    with transaction.atomic():
        lead.save()
        lead.tags.set(tags)
        record_entry(TimelineKind.CREATED, actor=by, lead=lead)
        record_event("created", lead, by=by)
    return lead


def update_lead(lead: Lead, *, by: User | None, **values: Any) -> Lead:
    if values.get("status") == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("A lead becomes converted by converting it.")]})
    with transaction.atomic():
        # The stored status decides (the caller's copy may predate a conversion).
        stored_status = Lead.objects.select_for_update().values_list("status", flat=True).get(pk=lead.pk)
        if stored_status == LeadStatus.CONVERTED:
            raise ValidationError({"status": [_("A converted lead cannot be changed.")]})
        old_status = lead.status = stored_status
        changes = apply_update(lead, values, by=by, allowed=LEAD_FIELDS, timeline_links={"lead": lead}, timeline=False)
        _require_a_name(lead)
        # One entry per save: a status change alone reads as one, anything more as a list of changes.
        if [change["field"] for change in changes] == ["status"]:
            record_entry(
                TimelineKind.STATUS_CHANGED, actor=by, lead=lead,
                data={"from_status": old_status, "to_status": lead.status},
            )  # fmt: skip
        elif changes:
            record_entry(TimelineKind.UPDATED, actor=by, lead=lead, data={"changes": changes})
    return lead


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    company: Company | None
    contact: Contact
    deal: Deal | None


def convert_lead(
    lead: Lead,
    *,
    by: User | None,
    company: Company | None = None,
    contact: Contact | None = None,
    create_company_record: bool = True,
    deal_name: str | None = None,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    amount: Decimal | None = None,
    create_deal_record: bool = True,
) -> Conversion:
    """Turn a lead into customer records: an existing or new company (from ``company_name``), an
    existing or new contact, and optionally a deal. Everything or nothing is written; the lead ends
    ``converted`` and points at what it became. Activities on the lead follow to the new records, and
    custom values to the new records' fields of the same key and type."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.status == LeadStatus.CONVERTED:
            raise ValidationError({"status": [_("This lead is already converted.")]})
        owner = lead.owner or by
        if company is None and create_company_record and lead.company_name.strip():
            company = create_company(
                by=by, allow_duplicate=True, name=lead.company_name.strip(), website=lead.website,
                country=lead.country, source=lead.source, owner=owner,
                lifecycle_stage=LifecycleStage.OPPORTUNITY if create_deal_record else LifecycleStage.SALES_QUALIFIED,
                custom=carried_custom_values(lead, Entity.COMPANY),
            )  # fmt: skip
        if contact is None:
            if not (lead.first_name or lead.last_name):
                raise ValidationError({"contact": [_("The lead has no person's name: choose an existing contact.")]})
            contact = create_contact(
                by=by, allow_duplicate=True, first_name=lead.first_name, last_name=lead.last_name,
                job_title=lead.job_title, email=lead.email, phone=lead.phone, country=lead.country,
                source=lead.source, owner=owner, company=company,
                lifecycle_stage=LifecycleStage.OPPORTUNITY if create_deal_record else LifecycleStage.SALES_QUALIFIED,
                custom=carried_custom_values(lead, Entity.CONTACT),
            )  # fmt: skip
        elif company is not None and contact.company_id is None:
            contact.company = company
            contact.save(update_fields=["company", "updated_at"])
        deal = None
        if create_deal_record:
            deal = create_deal(
                by=by,
                name=(deal_name or "").strip() or lead.company_name or lead.full_name,
                pipeline=pipeline,
                stage=stage,
                amount=amount if amount is not None else (lead.estimated_value or Decimal("0")),
                currency=lead.currency,
                owner=owner,
                company=company,
                contact=contact,
                lead=lead,
                custom=carried_custom_values(lead, Entity.DEAL),
            )
            deal.tags.set(lead.tags.all())
        lead.status = LeadStatus.CONVERTED
        lead.converted_at = timezone.now()
        lead.converted_by = by
        lead.converted_company = company
        lead.converted_contact = contact
        lead.converted_deal = deal
        lead.save()
        from modules.activities.models import Activity

        moved_links = {"company": company, "contact": contact, "deal": deal}
        Activity.objects.filter(lead=lead).update(**{k: v for k, v in moved_links.items() if v is not None})
        record_entry(
            TimelineKind.LEAD_CONVERTED, actor=by, lead=lead, company=company, contact=contact, deal=deal,
            data={"lead": str(lead)},
        )  # fmt: skip
        record_event(
            "converted", lead, by=by,
            data={
                "company_id": company.pk if company else None, "contact_id": contact.pk,
                "deal_id": deal.pk if deal else None,
            },
        )  # fmt: skip
    return Conversion(lead=lead, company=company, contact=contact, deal=deal)


def carried_custom_values(lead: Lead, entity: str) -> dict[str, Any]:
    """The lead's custom values that a converted record keeps: same key, same type on ``entity``."""
    lead_types = {d.key: d.field_type for d in definitions_for(Entity.LEAD)}
    return {
        definition.key: lead.custom[definition.key]
        for definition in definitions_for(entity)
        if definition.key in (lead.custom or {}) and lead_types.get(definition.key) == definition.field_type
    }


def delete_lead(lead: Lead, *, by: User | None) -> None:
    with transaction.atomic():
        record_event("deleted", lead, by=by, data={"name": str(lead)})
        lead.delete()
