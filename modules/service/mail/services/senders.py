"""The contact an e-mail comes from: the one with that address, else a new contact, put in the
company of its domain (a known company's, else a new one) unless the domain is a free mail one."""

from __future__ import annotations

import re

from django.db.models import Q
from django.db.models.functions import Lower

from core.mail.freemail import is_free_mail
from modules.contacts.models import Company, Contact
from modules.contacts.services.companies import create_company
from modules.contacts.services.contacts import create_contact


def _names(display_name: str, address: str) -> tuple[str, str]:
    name = " ".join(display_name.replace('"', " ").split())
    if "@" in name or not name:
        return "", address.split("@", 1)[0][:100]
    first, _space, last = name.rpartition(" ")
    return (first[:100], last[:100]) if first else ("", last[:100])


def company_for_domain(domain: str) -> Company | None:
    """A company of ``domain``: one whose contacts write from it, else one whose website or e-mail
    is on it, else a new one named after the domain. None for free mail domains."""
    if not domain or is_free_mail(domain):
        return None
    suffix = f"@{domain}"
    known = (
        Contact.objects.filter(email__iendswith=suffix, company__isnull=False)
        .order_by("id")
        .values_list("company_id", flat=True)
        .first()
    )
    if known:
        return Company.objects.get(pk=known)
    website = rf"^(https?://)?(www\.)?{re.escape(domain)}(/|:|$)"
    company = Company.objects.filter(Q(website__iregex=website) | Q(email__iendswith=suffix)).order_by("id").first()
    if company is not None:
        return company
    return create_company(by=None, allow_duplicate=True, name=domain[:200], website=f"https://{domain}"[:255])


def contact_for_sender(address: str, display_name: str) -> Contact:
    """The contact writing from ``address`` (the oldest one when several share it)."""
    contact = (
        Contact.objects.annotate(email_lower=Lower("email"))
        .filter(Q(email_lower=address) | Q(additional_emails__contains=[address]))
        .order_by("id")
        .first()
    )
    if contact is not None:
        return contact
    first_name, last_name = _names(display_name, address)
    company = company_for_domain(address.rsplit("@", 1)[-1])
    return create_contact(
        by=None, allow_duplicate=True, first_name=first_name, last_name=last_name, email=address, company=company,
    )  # fmt: skip
