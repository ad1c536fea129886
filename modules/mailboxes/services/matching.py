"""Which records an e-mail is about, from its addresses: contacts by address (main or additional),
leads by address (not yet converted), companies by domain (the matched contacts' companies, and
companies whose website or e-mail is on a sender's domain — never a free-mail domain, nor the
mailbox's own), and the open deals of the matched contacts.

A ``Matcher`` lives for one sync run and remembers each address it has looked up, so a mailbox of
thousands of messages between the same people costs a few queries per new correspondent, not per
message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower

from core.mail.freemail import is_free_mail
from modules.contacts.models import Company, Contact
from modules.sales.choices import DealStatus, LeadStatus
from modules.sales.models import Deal, Lead


@dataclass
class Matches:
    contacts: set[int] = field(default_factory=set)
    companies: set[int] = field(default_factory=set)
    leads: set[int] = field(default_factory=set)
    deals: set[int] = field(default_factory=set)

    def add(self, other: Matches) -> None:
        self.contacts |= other.contacts
        self.companies |= other.companies
        self.leads |= other.leads
        self.deals |= other.deals

    def __bool__(self) -> bool:
        return bool(self.contacts or self.companies or self.leads or self.deals)


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


class Matcher:
    """Addresses to records, remembered per address for the matcher's life."""

    def __init__(self, *, own_addresses: Iterable[str]) -> None:
        self.own = {address.lower() for address in own_addresses}
        self.own_domains = {domain_of(address) for address in self.own}
        self.by_address: dict[str, Matches] = {}
        self.by_domain: dict[str, set[int]] = {}

    def match(self, addresses: Iterable[str]) -> Matches:
        wanted = [a.lower() for a in addresses if a and a.lower() not in self.own]
        self._load([a for a in dict.fromkeys(wanted) if a not in self.by_address])
        found = Matches()
        for address in wanted:
            found.add(self.by_address[address])
            found.companies |= self._companies_of_domain(domain_of(address))
        return found

    def prepare(self, addresses: Iterable[str]) -> None:
        """Look up, in one round of queries, every address of a batch not seen yet."""
        wanted = {a.lower() for a in addresses if a and a.lower() not in self.own}
        self._load(sorted(wanted - self.by_address.keys()))
        domains = {domain_of(a) for a in wanted} - self.by_domain.keys()
        self._load_domains(sorted(d for d in domains if d and d not in self.own_domains and not is_free_mail(d)))

    def _load(self, addresses: list[str]) -> None:
        if not addresses:
            return
        for address in addresses:
            self.by_address[address] = Matches()
        contacts = (
            Contact.objects.annotate(email_lower=Lower("email"))
            .filter(Q(email_lower__in=addresses) | Q(additional_emails__overlap=addresses))
            .values_list("pk", "email_lower", "additional_emails", "company_id")
        )
        contact_ids: dict[int, list[str]] = {}
        for pk, email, additional, company_id in contacts:
            for address in {email, *(extra.lower() for extra in additional or [])} & set(addresses):
                matches = self.by_address[address]
                matches.contacts.add(pk)
                if company_id:
                    matches.companies.add(company_id)
                contact_ids.setdefault(pk, []).append(address)
        leads = (
            Lead.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=addresses)
            .exclude(status=LeadStatus.CONVERTED)
            .values_list("pk", "email_lower")
        )
        for pk, email in leads:
            self.by_address[email].leads.add(pk)
        deals = Deal.objects.filter(contact_id__in=list(contact_ids), status=DealStatus.OPEN).values_list(
            "pk", "contact_id"
        )
        for pk, contact_id in deals:
            for address in contact_ids[contact_id]:
                self.by_address[address].deals.add(pk)

    def _companies_of_domain(self, domain: str) -> set[int]:
        if not domain or domain in self.own_domains or is_free_mail(domain):
            return set()
        if domain not in self.by_domain:
            self._load_domains([domain])
        return self.by_domain[domain]

    def _load_domains(self, domains: list[str]) -> None:
        """Companies whose website or e-mail is on one of ``domains``, in one query."""
        if not domains:
            return
        wanted = set(domains)
        for domain in domains:
            self.by_domain[domain] = set()
        alternatives = "|".join(re.escape(domain) for domain in domains)
        website = rf"^(https?://)?(www\.)?({alternatives})(/|:|$)"
        email = Q()
        for domain in domains:
            email |= Q(email__iendswith=f"@{domain}")
        rows = Company.objects.filter(Q(website__iregex=website) | email).values_list("pk", "website", "email")
        host = re.compile(r"^(?:https?://)?(?:www\.)?([^/:]*)", re.IGNORECASE)
        for pk, site, address in rows:
            for domain in {host.match(site or "").group(1).lower(), domain_of(address or "")}:  # type: ignore[union-attr]
                if domain in wanted:
                    self.by_domain[domain].add(pk)
