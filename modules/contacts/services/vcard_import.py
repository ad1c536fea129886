"""Importing a .vcf file: every card imported, updated or skipped on its own, with the reason.

Cards are read one by one (``vcard_reader``), then matched to existing records for the whole file
at once: a person by e-mail address, then by phone number (compared in E.164), then by exactly the
same name — a number or a name alone never matches a contact whose e-mail differs from the card's. A matched
contact the importer may see is completed with what the card adds (empty fields filled, new
addresses and numbers added, nothing overwritten); one the importer may not see, or several
matches, skip the card. Organisation cards become companies (matched by name); a person's ``ORG``
links it to that company, created when no company has the name. Group cards tag their members.

Writes go through the bulk record services (``services.bulk``): each record validated as the
single-record services validate it, then written in a few statements, with its timeline entry and
outbox event, in one transaction. A card that fails validation is skipped with the field named;
the others are written. The queries do not grow with the number of cards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from core.phones import digit_forms, to_e164
from identity.models import User
from identity.visibility import visible_owner_ids
from modules.contacts.choices import Source
from modules.contacts.models import Company, Contact, join_name
from modules.contacts.services.bulk import BulkPlan, BulkRow, plan_companies, plan_contacts, write_plan
from modules.contacts.vcard_fields import GROUP, ORGANISATION, CardData, card_data
from modules.contacts.vcard_reader import read_cards
from modules.workspace.services import default_phone_region

IMPORTED, UPDATED, SKIPPED = "imported", "updated", "skipped"
# Fields a card fills in on a matched record when the record has none.
FILLED = ("first_name", "last_name", "job_title", "department", "description", "street", "city", "region",
          "postal_code", "country", "website", "name")  # fmt: skip


@dataclass
class CardOutcome:
    number: int
    label: str
    status: str
    reason: str = ""
    record: Contact | Company | None = None

    @property
    def is_company(self) -> bool:
        return isinstance(self.record, Company)


@dataclass
class VCardReport:
    outcomes: list[CardOutcome] = field(default_factory=list)
    companies_created: list[Company] = field(default_factory=list)  # from persons' ORG names

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def imported(self) -> int:
        return self.count(IMPORTED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def skipped(self) -> int:
        return self.count(SKIPPED)


def _visible(record: Any, owners: set[int] | None) -> bool:
    return owners is None or record.owner_id in owners


def _errors(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{key}: {' '.join(messages)}" if key != "__all__" else " ".join(messages)
                     for key, messages in errors.items())  # fmt: skip


def _completion(record: Any, data: CardData, region: str | None) -> dict[str, Any]:
    """What the card adds to ``record``: empty fields filled, new addresses and numbers added."""
    changes: dict[str, Any] = {}
    for name in FILLED:
        if data.values.get(name) and hasattr(record, name) and not getattr(record, name):
            changes[name] = data.values[name]
    known = {address.lower() for address in [record.email, *record.additional_emails] if address}
    new = [address for address in data.emails if address.lower() not in known]
    if new and not record.email:
        changes["email"], new = new[0], new[1:]
    if new:
        changes["additional_emails"] = [*record.additional_emails, *new]
    numbers = {to_e164(phone, region) or phone for phone in [record.phone, *record.additional_phones] if phone}
    fresh = [phone for phone in data.phones if (to_e164(phone, region) or phone) not in numbers]
    if fresh and not record.phone:
        changes["phone"], fresh = fresh[0], fresh[1:]
    if fresh:
        changes["additional_phones"] = [*record.additional_phones, *fresh]
    return changes


def _by_email(persons: list[CardData]) -> dict[str, list[Contact]]:
    addresses = {address.lower() for data in persons for address in data.emails}
    found: dict[str, list[Contact]] = defaultdict(list)
    if not addresses:
        return found
    written = {address for data in persons for address in data.emails} | addresses
    match = Q(email_lower__in=addresses) | Q(additional_emails__overlap=sorted(written))
    for contact in Contact.objects.annotate(email_lower=Lower("email")).filter(match).order_by("pk"):
        for address in {a.lower() for a in [contact.email, *contact.additional_emails] if a}:
            found[address].append(contact)
    return found


def _by_phone(persons: list[CardData], region: str | None) -> dict[str, list[Contact]]:
    """Contacts by the E.164 form of their numbers: narrowed in SQL to stored numbers whose digits
    are one of the cards' numbers' digit forms, then compared as phonenumbers reads them."""
    wanted = {number for data in persons for number in data.numbers}
    found: dict[str, list[Contact]] = defaultdict(list)
    forms = sorted({form for number in wanted for form in digit_forms(number) if len(form) >= 6})
    if not forms:
        return found
    digits = RawSQL(
        "regexp_replace(contacts_contact.phone, '[^0-9]', '', 'g') = ANY(%s) OR EXISTS (SELECT 1 FROM "
        "unnest(contacts_contact.additional_phones) AS number WHERE regexp_replace(number, '[^0-9]', '', 'g') "
        "= ANY(%s))",
        [forms, forms],
        output_field=BooleanField(),
    )
    for contact in Contact.objects.filter(digits).order_by("pk"):
        for phone in {to_e164(p, region) for p in [contact.phone, *contact.additional_phones] if p}:
            if phone in wanted:
                found[phone].append(contact)
    return found


def _by_name(persons: list[CardData]) -> dict[str, list[Contact]]:
    names = {join_name(data.values["first_name"], data.values["last_name"]).lower() for data in persons}
    found: dict[str, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.annotate(lower=Lower("full_name")).filter(lower__in=names).order_by("pk"):
        found[contact.full_name.lower()].append(contact)
    return found


def _unique(records: Iterable[Any]) -> list[Any]:
    return list({record.pk: record for record in records}.values())


class _Import:
    def __init__(self, cards: list[CardData], by: User) -> None:
        self.cards = cards
        self.by = by
        self.owners = visible_owner_ids(by)
        self.region = default_phone_region()
        self.outcomes: dict[int, CardOutcome] = {}
        self.companies: dict[str, Company | None] = {}  # lower-cased name → company to link (None: hidden)
        self.created_companies: list[Company] = []

    def skip(self, data: CardData, reason: str) -> None:
        self.outcomes[data.number] = CardOutcome(data.number, data.label, SKIPPED, reason)

    def record_plan(self, plan: BulkPlan, cards: dict[int, CardData]) -> None:
        for number, errors in plan.errors.items():
            if number in cards:
                self.skip(cards[number], _errors(errors))
        for row in plan.planned:
            if row.number not in cards:
                continue
            data = cards[row.number]
            if row.created:
                outcome = CardOutcome(row.number, data.label, IMPORTED, record=row.instance)
            elif row.changes:
                fields = ", ".join(str(change["label"]) for change in row.changes)
                outcome = CardOutcome(
                    row.number, data.label, UPDATED, _("Added: %(fields)s.") % {"fields": fields}, row.instance
                )
            else:
                outcome = CardOutcome(row.number, data.label, SKIPPED, _("Nothing new: %(record)s has it all.") % {
                    "record": row.instance}, row.instance)  # fmt: skip
            self.outcomes[row.number] = outcome

    def tags(self) -> dict[str, list[str]]:
        """Tag names by member UID, from the file's group cards."""
        names: dict[str, list[str]] = defaultdict(list)
        for data in self.cards:
            if data.kind == GROUP:
                for uid in data.members:
                    names[uid].append(data.label[:60])
        return names

    def organisations(self) -> None:
        organisations = [data for data in self.cards if data.kind == ORGANISATION and not data.problem]
        persons = [data for data in self.cards if data.kind not in (ORGANISATION, GROUP) and not data.problem]
        names = {data.values["name"].lower() for data in organisations} | {
            data.organisation.lower() for data in persons if data.organisation
        }
        existing: dict[str, list[Company]] = defaultdict(list)
        for company in Company.objects.annotate(lower=Lower("name")).filter(lower__in=names).order_by("pk"):
            existing[company.name.lower()].append(company)
        rows: list[BulkRow] = []
        cards: dict[int, CardData] = {}
        seen: dict[str, int] = {}
        for data in organisations:
            lower = data.values["name"].lower()
            if lower in seen:
                self.skip(data, _("The same organisation as card %(number)d.") % {"number": seen[lower]})
                continue
            seen[lower] = data.number
            visible = [company for company in existing[lower] if _visible(company, self.owners)]
            if existing[lower] and not visible:
                self.companies[lower] = None
                self.skip(data, _("A company with this name exists that you cannot see."))
                continue
            cards[data.number] = data
            if visible:
                rows.append(BulkRow(data.number, _completion(visible[0], data, self.region), match=visible[0]))
            else:
                rows.append(BulkRow(data.number, {**data.values, "source": Source.IMPORT}))
        # Organisations persons name without a card of their own: a company each, unless one exists.
        extra = len(self.cards)
        for data in persons:
            lower = data.organisation.lower()
            if not lower or lower in seen:
                continue
            seen[lower] = extra = extra + 1
            visible = [company for company in existing[lower] if _visible(company, self.owners)]
            if visible:
                self.companies[lower] = visible[0]
            elif existing[lower]:
                self.companies[lower] = None
            else:
                rows.append(BulkRow(extra, {"name": data.organisation[:200], "source": Source.IMPORT}))
        plan = plan_companies(rows, by=self.by)
        write_plan(plan, by=self.by)
        self.record_plan(plan, cards)
        for row in plan.planned:
            self.companies[row.instance.name.lower()] = row.instance
            if row.number not in cards and row.created:
                self.created_companies.append(row.instance)

    def candidates(self, data: CardData, indexes: tuple[dict[str, list[Contact]], ...]) -> list[Contact]:
        by_email, by_phone, by_name = indexes
        found = _unique(contact for address in data.emails for contact in by_email.get(address.lower(), []))
        # A number or a name alone never matches a contact whose e-mail differs from the card's
        # (colleagues share a switchboard number; namesakes are common).
        if not found:
            found = _unique(contact for number in data.numbers for contact in by_phone.get(number, []))
            found = [contact for contact in found if not (data.emails and contact.email)]
        if not found:
            name = join_name(data.values["first_name"], data.values["last_name"]).lower()
            found = [contact for contact in by_name.get(name, []) if not (data.emails and contact.email)]
        return found

    def persons(self, tags: dict[str, list[str]]) -> None:
        persons = [data for data in self.cards if data.kind not in (ORGANISATION, GROUP) and not data.problem]
        indexes = (_by_email(persons), _by_phone(persons, self.region), _by_name(persons))
        rows: list[BulkRow] = []
        cards: dict[int, CardData] = {}
        claimed: dict[int, int] = {}  # contact pk → the card that matched it
        addresses: dict[str, int] = {}  # an e-mail address → the card of this file that has it
        for data in persons:
            earlier = next((addresses[a.lower()] for a in data.emails if a.lower() in addresses), None)
            if earlier is not None:
                self.skip(data, _("The same e-mail address as card %(number)d.") % {"number": earlier})
                continue
            addresses.update({address.lower(): data.number for address in data.emails})
            values = dict(data.values)
            company = self.companies.get(data.organisation.lower()) if data.organisation else None
            if company is not None:
                values["company"] = company
            if tags.get(data.uid):
                values["tags"] = tags[data.uid]
            found = self.candidates(data, indexes)
            if len(found) > 1:
                visible = [str(c) for c in found if _visible(c, self.owners)] or [_("contacts you cannot see")]
                self.skip(data, _("It matches several contacts: %(names)s.") % {"names": ", ".join(visible)})
                continue
            if found and not _visible(found[0], self.owners):
                self.skip(data, _("It matches a contact you cannot see."))
                continue
            if found and found[0].pk in claimed:
                self.skip(data, _("It matches the same contact as card %(number)d.") % {"number": claimed[found[0].pk]})
                continue
            cards[data.number] = data
            if found:
                claimed[found[0].pk] = data.number
                changes = _completion(found[0], data, self.region)
                if "company" in values and not found[0].company_id:
                    changes["company"] = values["company"]
                if "tags" in values:
                    changes["tags"] = values["tags"]
                rows.append(BulkRow(data.number, changes, match=found[0]))
            else:
                rows.append(BulkRow(data.number, {**values, "source": Source.IMPORT}))
        plan = plan_contacts(rows, by=self.by)
        write_plan(plan, by=self.by)
        self.record_plan(plan, cards)


def import_vcards(data: bytes, *, by: User) -> VCardReport:
    """Import every card of ``data`` for ``by``; a report per card. Raises ValidationError
    (``file``) only when the file is no vCard file at all or holds too many cards."""
    region = default_phone_region()
    cards = [card_data(card, region) for card in read_cards(data)]
    run = _Import(cards, by)
    for data_ in cards:
        if data_.problem:
            run.skip(data_, data_.problem)
    with transaction.atomic():
        run.organisations()
        run.persons(run.tags())
    outcomes = [run.outcomes[data_.number] for data_ in cards if data_.number in run.outcomes]
    return VCardReport(outcomes=outcomes, companies_created=run.created_companies)
