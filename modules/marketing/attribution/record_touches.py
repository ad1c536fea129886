"""The touches a record carries, for its page: a contact's or a lead's own, and for a deal those
attribution counts (``selectors``: on the deal itself, and before its creation on its contact, on
its company's contacts and on its lead). Its source campaign is the campaign of the earliest of
them — for a contact or a lead the ``SourceCampaign`` row ``services`` keeps, for a deal its
first-touch campaign."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, QuerySet

from modules.marketing.attribution.models import Touch


def record_touches(subject: str, record: Any) -> QuerySet[Touch]:
    """The touches of ``record`` (a contact, lead or deal named by ``subject``), unordered."""
    if subject == "contact":
        return Touch.objects.filter(contact_id=record.pk)
    if subject == "lead":
        return Touch.objects.filter(lead_id=record.pk)
    if subject != "deal":
        raise ValueError(subject)
    before = Q(occurred_at__lte=record.created_at)
    influence = Q(deal_id=record.pk)
    if record.contact_id is not None:
        influence |= Q(contact_id=record.contact_id) & before
    if record.company_id is not None:
        influence |= Q(contact__company_id=record.company_id) & before
    if record.lead_id is not None:
        influence |= Q(lead_id=record.lead_id) & before
    return Touch.objects.filter(influence)


def outer_record_touches(subject: str) -> Q:
    """The same rule as ``record_touches`` for the record of an outer query (``OuterRef``), so one
    statement can find the touches of many contacts, leads or deals at once. An empty link of the
    outer record compares as SQL NULL and matches nothing, as ``record_touches`` leaves it out."""
    if subject == "contact":
        return Q(contact_id=OuterRef("pk"))
    if subject == "lead":
        return Q(lead_id=OuterRef("pk"))
    if subject != "deal":
        raise ValueError(subject)
    earlier = (
        Q(contact_id=OuterRef("contact_id"))
        | Q(contact__company_id=OuterRef("company_id"))
        | Q(lead_id=OuterRef("lead_id"))
    )
    return Q(deal_id=OuterRef("pk")) | (Q(occurred_at__lte=OuterRef("created_at")) & earlier)


def first_touch(touches: QuerySet[Touch]) -> Touch | None:
    """The earliest of ``touches`` with its campaign (one query)."""
    return touches.select_related("campaign").order_by("occurred_at", "id").first()
