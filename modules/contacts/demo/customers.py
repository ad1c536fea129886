"""Demo users, teams, tags, companies and their contacts."""

from __future__ import annotations

from datetime import timedelta

from identity.models import Role, Team, User
from identity.services.accounts import ensure_user
from identity.services.roles import ensure_system_roles
from modules.contacts.choices import LifecycleStage, Source, TimelineKind
from modules.contacts.demo.builder import (
    BATCH,
    HISTORY_DAYS,
    TEAM_MEMBERS,
    DemoBase,
    _,
    ascii_slug,
    bulk_create,
    bulk_create_dated,
)
from modules.contacts.demo.data import (
    COMPANY_STEMS,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    INDUSTRY_WORDS,
    JOB_TITLES,
)
from modules.contacts.models import Company, Contact, Tag, join_name


class CustomerRecords(DemoBase):
    def users(self) -> None:
        roles: dict[str, Role] = ensure_system_roles()
        self.admin = User.objects.filter(role__key="admin", is_active=True).order_by("id").first()
        field_team, _created = Team.objects.get_or_create(
            name=_("Field sales"), defaults={"description": _("Key accounts, visited on site.")}
        )
        inside_team, _created = Team.objects.get_or_create(
            name=_("Inside sales"), defaults={"description": _("New business by phone and e-mail.")}
        )
        teams = {"field": field_team, "inside": inside_team}
        self.reps = []
        for role_key, first, last, team_key in TEAM_MEMBERS:
            email = f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}@{self.slug}.example"
            user = ensure_user(
                email=email, role=roles[role_key], full_name=join_name(first, last), password_hash=self.password_hash
            )
            if self.password_hash is None and user.has_usable_password():
                user.set_unusable_password()
                user.save(update_fields=["password"])
            if team_key:
                user.teams.add(teams[team_key])
            if role_key in ("manager", "sales_rep"):
                self.reps.append(user)
        if self.admin is not None:
            self.admin.teams.add(field_team)
        # Reps own most records; the manager keeps a few key accounts, and so does the admin who
        # signs in to the demo, so their own home page ("Me") has a day of activities and deals.
        self.owner_pool = list(self.reps)
        self.owner_weights = [1] + [4] * (len(self.reps) - 1)
        if self.admin is not None:
            self.owner_pool.append(self.admin)
            self.owner_weights.append(2)

    def tags_(self) -> None:
        wanted = [
            (_("VIP"), "#dc3545"),
            (_("Partner"), "#0d6efd"),
            (_("Enterprise"), "#6f42c1"),
            (_("SMB"), "#20c997"),
            (_("Public sector"), "#fd7e14"),
            (_("Newsletter"), "#6c757d"),
            (_("Trade fair"), "#ffc107"),
            (_("Decision maker"), "#198754"),
            (_("Reseller"), "#0dcaf0"),
            (_("Renewal risk"), "#d63384"),
        ]
        existing = {tag.name.lower(): tag for tag in Tag.objects.all()}
        missing = [Tag(name=name, color=color) for name, color in wanted if name.lower() not in existing]
        bulk_create(Tag, missing)
        self.tags = {tag.name.lower(): tag for tag in [*existing.values(), *missing]}

    def companies(self) -> None:
        used: set[str] = set()
        rows: list[Company] = []
        industries = list(INDUSTRY_WORDS)
        stages = [
            LifecycleStage.LEAD,
            LifecycleStage.MARKETING_QUALIFIED,
            LifecycleStage.SALES_QUALIFIED,
            LifecycleStage.OPPORTUNITY,
            LifecycleStage.CUSTOMER,
            LifecycleStage.EVANGELIST,
            LifecycleStage.OTHER,
        ]
        stage_weights = [14, 10, 10, 20, 36, 5, 5]
        sources = [choice.value for choice in Source if choice != Source.IMPORT]
        while len(rows) < self.size.companies:
            country = self.rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0]
            industry = self.pick(industries)
            stem, word = self.pick(COMPANY_STEMS), self.pick(INDUSTRY_WORDS[industry])
            name = f"{stem} {word} {country.company_suffix}"
            if name in used:
                continue
            used.add(name)
            domain = f"{ascii_slug(f'{stem} {word}')}.{country.tld}"
            city, region, postal_code = self.pick(country.cities)
            company = Company(
                name=name,
                website=f"https://www.{domain}",
                industry=_(industry),
                employee_count=self.rng.choice((8, 15, 25, 40, 60, 120, 250, 400, 800, 1500, 4000)),
                owner=self.owner(),
                source=self.pick(sources),
                lifecycle_stage=self.rng.choices(stages, weights=stage_weights)[0],
                email=f"office@{domain}",
                phone=f"{country.phone_prefix}{self.rng.randint(10_000_000, 99_999_999)}",
                street=f"{self.pick(country.streets)} {self.rng.randint(1, 180)}",
                city=city,
                region=region,
                postal_code=postal_code,
                country=country.code,
            )
            company.created_by = company.owner
            # Some companies are customers of long standing: created up to two years and a month
            # ago, before the first of the orders (orders.py) that go back two years.
            self.created[id(company)] = self.ago(HISTORY_DAYS + 30, 30)
            rows.append(company)
        self.company_list = bulk_create_dated(Company, rows, self.created)
        through = Company.tags.through
        links = []
        for company in rows:
            self.company_country[company.pk] = next(c for c in COUNTRIES if c.code == company.country)
            self.company_domain[company.pk] = company.email.split("@", 1)[1]
            employees = company.employee_count or 0
            if company.lifecycle_stage == LifecycleStage.CUSTOMER and employees >= 800:
                links.append(through(company_id=company.pk, tag_id=self.tag(_("Enterprise")).pk))
            elif employees <= 40:
                links.append(through(company_id=company.pk, tag_id=self.tag(_("SMB")).pk))
            if self.rng.random() < 0.08:
                links.append(through(company_id=company.pk, tag_id=self.tag(_("VIP")).pk))
            if self.rng.random() < 0.06:
                links.append(through(company_id=company.pk, tag_id=self.tag(_("Partner")).pk))
            self.entry(TimelineKind.CREATED, self.created[id(company)], company.owner, company=company)
        through.objects.bulk_create(links, batch_size=BATCH)

    def contacts(self) -> None:
        companies = self.company_list
        # Every company has someone; bigger companies have more people on file.
        homes = list(companies) + self.rng.choices(
            companies,
            weights=[min(company.employee_count or 10, 800) ** 0.5 for company in companies],
            k=self.size.contacts - len(companies),
        )
        used_emails: set[str] = set()
        rows: list[Contact] = []
        for company in homes[: self.size.contacts]:
            country = self.company_country[company.pk]
            first, last = self.pick(country.first_names), self.pick(country.last_names)
            local = f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}"
            email = f"{local}@{self.company_domain[company.pk]}"
            suffix = 2
            while email in used_emails:
                email = f"{local}{suffix}@{self.company_domain[company.pk]}"
                suffix += 1
            used_emails.add(email)
            title, department = self.pick(JOB_TITLES)
            stage = company.lifecycle_stage if self.rng.random() < 0.8 else LifecycleStage.LEAD
            contact = Contact(
                first_name=first,
                last_name=last,
                full_name=join_name(first, last),
                job_title=_(title),
                department=_(department),
                company=company,
                owner=company.owner,
                source=company.source,
                lifecycle_stage=stage,
                email=email,
                phone=f"{country.phone_prefix}{self.rng.randint(10_000_000, 99_999_999)}",
                city=company.city,
                region=company.region,
                country=company.country,
                created_by=company.owner,
            )
            self.created[id(contact)] = self.between(self.created[id(company)], self.now - timedelta(days=2))
            rows.append(contact)
        self.contact_list = bulk_create_dated(Contact, rows, self.created)
        through = Contact.tags.through
        links = []
        for contact, company in zip(rows, homes[: len(rows)], strict=True):
            self.contacts_of.setdefault(company.pk, []).append(contact)
            self.contact_company[id(contact)] = company
            if contact.job_title in (_("Chief Executive Officer"), _("General Manager"), _("Chief Financial Officer")):
                links.append(through(contact_id=contact.pk, tag_id=self.tag(_("Decision maker")).pk))
            if self.rng.random() < 0.15:
                links.append(through(contact_id=contact.pk, tag_id=self.tag(_("Newsletter")).pk))
            if self.rng.random() < 0.04:
                links.append(through(contact_id=contact.pk, tag_id=self.tag(_("Trade fair")).pk))
            self.entry(
                TimelineKind.CREATED, self.created[id(contact)], contact.owner, contact=contact, company=contact.company
            )
        through.objects.bulk_create(links, batch_size=BATCH)
