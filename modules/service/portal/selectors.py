"""What a portal user may see: their own cases, quotes and orders, or, for a company admin, those
of their contact's whole company. Every portal page reads records through these, so a record of
another customer is not found (404) rather than refused."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from modules.sales.choices import QuoteStatus
from modules.sales.models import Order, Quote
from modules.service.choices import MessageKind
from modules.service.models import Case, CaseAttachment, CaseMessage
from modules.service.portal.models import PortalUser


def _customer(portal_user: PortalUser) -> Q:
    """Records of the user's contact, or of their company for a company admin."""
    contact = portal_user.contact
    if portal_user.is_company_admin and contact.company_id is not None:
        return Q(contact_id=contact.pk) | Q(company_id=contact.company_id)
    return Q(contact_id=contact.pk)


def portal_cases(portal_user: PortalUser) -> QuerySet[Case]:
    # A merged case lives on in the case it was merged into.
    return (
        Case.objects.filter(_customer(portal_user), merged_into__isnull=True)
        .select_related("status", "contact")
        .order_by("-created_at", "-id")
    )


def public_messages(case: Case) -> QuerySet[CaseMessage]:
    """The case's conversation as the customer sees it: public replies only, never internal notes."""
    return (
        CaseMessage.objects.filter(case=case, kind=MessageKind.REPLY)
        .select_related("author", "contact")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def portal_attachment(portal_user: PortalUser, case_pk: int, attachment_pk: int) -> CaseAttachment | None:
    """A file of a public message of one of the user's cases, else None."""
    return CaseAttachment.objects.filter(
        pk=attachment_pk,
        message__case_id=case_pk,
        message__kind=MessageKind.REPLY,
        message__case__in=portal_cases(portal_user),
    ).first()  # fmt: skip


def portal_quotes(portal_user: PortalUser) -> QuerySet[Quote]:
    """Quotes the customer was sent (drafts stay with the seller)."""
    return (
        Quote.objects.filter(_customer(portal_user))
        .exclude(status=QuoteStatus.DRAFT)
        .select_related("contact", "company")
        .order_by("-created_at", "-id")
    )


def portal_orders(portal_user: PortalUser) -> QuerySet[Order]:
    return Order.objects.filter(_customer(portal_user)).select_related("contact").order_by("-ordered_on", "-id")
