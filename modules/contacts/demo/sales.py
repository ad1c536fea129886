"""Demo pipelines, deals with their stage history, leads, products, quotes, exchange rates and quotas."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from modules.contacts.choices import LifecycleStage, Source, TimelineKind
from modules.contacts.demo.builder import (
    BATCH,
    EURO_VALUE,
    LEAD_STATUS_SHARE,
    DemoBase,
    _,
    _add_months,
    ascii_slug,
    bulk_create,
    bulk_create_dated,
)
from modules.contacts.demo.data import (
    COMPANY_STEMS,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    DEAL_TOPICS,
    INDUSTRY_WORDS,
    JOB_TITLES,
)
from modules.contacts.models import ExchangeRate, join_name
from modules.sales.choices import DealStatus, LeadStatus, QuoteStatus, StageKind
from modules.sales.models import (
    Deal,
    DealStageChange,
    Lead,
    LostReason,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    Quota,
    Quote,
    QuoteLine,
    Stage,
)
from modules.sales.services.pipelines import default_pipeline


class SalesRecords(DemoBase):
    def pipelines(self) -> None:
        pipeline = default_pipeline()
        if pipeline is None:  # seed_sales() just ran: there is one
            raise RuntimeError("the tenant has no sales pipeline")
        self.default_pipeline = pipeline
        renewals, created = Pipeline.objects.get_or_create(name=_("Renewals"), defaults={"position": 1})
        if created:
            Stage.objects.bulk_create(
                Stage(
                    pipeline=renewals,
                    name=name,
                    kind=kind,
                    probability=probability,
                    position=position,
                    required_fields=required,
                    rotting_days=rotting,
                )
                for position, (name, kind, probability, required, rotting) in enumerate(
                    [
                        (_("Renewal due"), StageKind.OPEN, 60, [], 30),
                        (_("Renewal negotiation"), StageKind.OPEN, 80, ["amount", "expected_close_date"], 21),
                        (_("Renewed"), StageKind.WON, 100, ["amount"], None),
                        (_("Churned"), StageKind.LOST, 0, [], None),
                    ]
                )
            )
        self.renewals = renewals
        self.lost_reasons = list(LostReason.objects.filter(is_active=True).order_by("position", "id"))
        if not self.lost_reasons:
            self.lost_reasons = bulk_create(LostReason, [LostReason(name=_("Price"), position=0)])

    def _stages(self, pipeline: Pipeline) -> tuple[list[Stage], Stage, Stage]:
        if pipeline.pk in self.stage_cache:
            return self.stage_cache[pipeline.pk]
        stages = list(pipeline.stages.order_by("position", "id"))
        open_stages = [stage for stage in stages if stage.kind == StageKind.OPEN]
        won = next(stage for stage in stages if stage.kind == StageKind.WON)
        lost = next(stage for stage in stages if stage.kind == StageKind.LOST)
        self.stage_cache[pipeline.pk] = (open_stages, won, lost)
        return open_stages, won, lost

    def deals(self) -> None:
        plan: list[tuple[Pipeline, str, int]] = []  # (pipeline, status, index of the last open stage reached)
        renewals = self.size.deals // 5
        for pipeline, count in ((self.default_pipeline, self.size.deals - renewals), (self.renewals, renewals)):
            open_stages, _won, _lost = self._stages(pipeline)
            won, lost = round(count * 0.23), round(count * 0.18)
            plan += [(pipeline, DealStatus.WON, len(open_stages) - 1)] * won
            plan += [(pipeline, DealStatus.LOST, self.rng.randrange(len(open_stages))) for _ in range(lost)]
            plan += [(pipeline, DealStatus.OPEN, i % len(open_stages)) for i in range(count - won - lost)]
        prospects = [c for c in self.company_list if c.lifecycle_stage != LifecycleStage.LEAD]
        customers = [c for c in self.company_list if c.lifecycle_stage in (LifecycleStage.CUSTOMER, "evangelist")]
        self.deal_list = []
        self.deal_story = {}  # id(deal) → (created, closed or now)
        changes: list[DealStageChange] = []
        paths: dict[int, list[tuple[Stage, datetime]]] = {}
        for pipeline, status, reached in plan:
            open_stages, won_stage, lost_stage = self._stages(pipeline)
            company = self.pick(customers if pipeline == self.renewals and customers else prospects)
            contact = self.pick(self.contacts_of[company.pk])
            country = self.company_country[company.pk]
            currency = self.local_currency(country, 0.45)
            topic = _(self.pick(DEAL_TOPICS))
            # A deal starts once its company and contact are on file.
            start = max(
                self.ago(210, 20) if status != DealStatus.OPEN else self.ago(150, 3),
                self.created[id(company)],
                self.created[id(contact)],
            )
            if status == DealStatus.OPEN:
                end = self.between(start, self.now - timedelta(hours=2))
            else:
                end = min(start + timedelta(days=self.rng.uniform(12, 120)), self.now - timedelta(days=1))
            path = open_stages[: reached + 1]
            finals: dict[str, Stage] = {DealStatus.WON: won_stage, DealStatus.LOST: lost_stage}
            final = finals.get(status)
            if final is not None:
                path = [*path, final]
            moments = [start] + sorted(self.between(start, end) for _ in path[1:-1]) + ([end] if len(path) > 1 else [])
            deal = Deal(
                name=f"{company.name.removesuffix(' ' + country.company_suffix)} — {topic}",
                pipeline=pipeline,
                stage=path[-1],
                status=status,
                amount=self.money(self.rng.choice((2, 4, 6, 9, 12, 18, 25, 40, 60, 90, 120)) * 1000, currency),
                currency=currency,
                expected_close_date=(
                    end if status != DealStatus.OPEN else self.now + timedelta(days=self.rng.randint(5, 90))
                ).date(),
                owner=company.owner,
                company=company,
                contact=contact,
                stage_entered_at=moments[-1],
                created_by=company.owner,
            )
            if status != DealStatus.OPEN:
                deal.closed_at = end
            if status == DealStatus.LOST:
                deal.lost_reason = self.pick(self.lost_reasons)
                if self.rng.random() < 0.3:
                    deal.lost_note = _("They extended their current contract for another year.")
            if status == DealStatus.OPEN and self.rng.random() < 0.15:
                deal.probability = min(95, path[-1].probability + self.rng.choice((-10, 5, 10, 15)))
            self.created[id(deal)] = start
            self.deal_story[id(deal)] = (start, end)
            self.deal_links[id(deal)] = (company, contact)
            self.deal_list.append(deal)
            paths[id(deal)] = list(zip(path, moments, strict=True))
        bulk_create_dated(Deal, self.deal_list, self.created)
        through = Deal.tags.through
        links = []
        for deal in self.deal_list:
            previous: Stage | None = None
            for stage, moment in paths[id(deal)]:
                changes.append(
                    DealStageChange(
                        deal=deal, from_stage=previous, to_stage=stage, changed_by=deal.owner, changed_at=moment
                    )
                )
                links_ = {"deal": deal, "company": deal.company, "contact": deal.contact}
                if previous is None:
                    self.entry(TimelineKind.CREATED, moment, deal.owner, {"stage": stage.name}, **links_)
                else:
                    kinds: dict[str, str] = {
                        StageKind.WON: TimelineKind.DEAL_WON,
                        StageKind.LOST: TimelineKind.DEAL_LOST,
                    }
                    kind = kinds.get(stage.kind, TimelineKind.STAGE_CHANGED)
                    data: dict[str, Any] = {"from_stage": previous.name, "to_stage": stage.name}
                    probabilities: dict[str, int] = {StageKind.WON: 100, StageKind.LOST: 0}
                    data["probability"] = probabilities.get(stage.kind, stage.probability)
                    if stage.kind == StageKind.LOST and deal.lost_reason is not None:
                        data["lost_reason"] = deal.lost_reason.name
                    self.entry(kind, moment, deal.owner, data, **links_)
                previous = stage
            if deal.pipeline_id == self.renewals.pk and self.rng.random() < 0.3:
                links.append(through(deal_id=deal.pk, tag_id=self.tag(_("Renewal risk")).pk))
        bulk_create(DealStageChange, changes)
        through.objects.bulk_create(links, batch_size=BATCH)

    def leads(self) -> None:
        count = self.size.leads
        statuses = [status for status, share in LEAD_STATUS_SHARE.items() for _ in range(round(count * share))]
        statuses += [LeadStatus.NEW] * (count - len(statuses))
        converted_deals = [
            deal for deal in self.deal_list if deal.pipeline_id == self.default_pipeline.pk and deal.lead_id is None
        ]
        self.rng.shuffle(converted_deals)
        used_names = {company.name for company in self.company_list}
        sources = [Source.WEBSITE, Source.REFERRAL, Source.EVENT, Source.EMAIL_CAMPAIGN, Source.ADVERTISING]
        rows: list[Lead] = []
        for status in statuses:
            owner = self.owner()
            if status == LeadStatus.CONVERTED and converted_deals:
                deal = converted_deals.pop()
                company, contact = self.deal_links[id(deal)]
                converted_at = self.created[id(deal)]
                lead = Lead(
                    first_name=contact.first_name,
                    last_name=contact.last_name,
                    company_name=company.name,
                    job_title=contact.job_title,
                    email=contact.email,
                    phone=contact.phone,
                    website=company.website,
                    country=company.country,
                    source=self.pick(sources),
                    status=status,
                    estimated_value=deal.amount,
                    currency=deal.currency,
                    owner=deal.owner,
                    converted_at=converted_at,
                    converted_by=deal.owner,
                    converted_company=company,
                    converted_contact=contact,
                    converted_deal=deal,
                    created_by=deal.owner,
                )
                created = converted_at - timedelta(days=self.rng.uniform(3, 40))
                deal.lead = lead
            else:
                country = self.rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0]
                first, last = self.pick(country.first_names), self.pick(country.last_names)
                industry = self.pick(list(INDUSTRY_WORDS))
                name = f"{self.pick(COMPANY_STEMS)} {self.pick(INDUSTRY_WORDS[industry])} {country.company_suffix}"
                while name in used_names:
                    name = f"{self.pick(COMPANY_STEMS)} {self.pick(INDUSTRY_WORDS[industry])} {country.company_suffix}"
                used_names.add(name)
                domain = f"{ascii_slug(name.rsplit(' ', 1)[0] if ' ' in name else name)}.{country.tld}"
                currency = self.local_currency(country, 0.5)
                lead = Lead(
                    first_name=first,
                    last_name=last,
                    company_name=name,
                    job_title=_(self.pick(JOB_TITLES)[0]),
                    email=f"{ascii_slug(first, '.')}.{ascii_slug(last, '.')}@{domain}",
                    phone=f"{country.phone_prefix}{self.rng.randint(10_000_000, 99_999_999)}",
                    website=f"https://www.{domain}",
                    country=country.code,
                    source=self.pick(sources),
                    status=status,
                    estimated_value=self.money(self.rng.choice((3, 5, 8, 12, 20, 35, 50)) * 1000, currency),
                    currency=currency,
                    owner=owner,
                    created_by=owner,
                )
                created = self.ago(180, 0.5)
            lead.full_name = join_name(lead.first_name, lead.last_name)
            self.created[id(lead)] = created
            rows.append(lead)
        self.lead_list = bulk_create_dated(Lead, rows, self.created)
        Deal.objects.bulk_update([deal for deal in self.deal_list if deal.lead is not None], ["lead"], batch_size=BATCH)
        through = Lead.tags.through
        links = []
        for lead in rows:
            created = self.created[id(lead)]
            self.entry(TimelineKind.CREATED, created, lead.owner, lead=lead)
            paths: dict[str, list[str]] = {
                LeadStatus.CONTACTED: [LeadStatus.CONTACTED],
                LeadStatus.QUALIFIED: [LeadStatus.CONTACTED, LeadStatus.QUALIFIED],
                LeadStatus.UNQUALIFIED: [LeadStatus.CONTACTED, LeadStatus.UNQUALIFIED],
                LeadStatus.CONVERTED: [LeadStatus.CONTACTED, LeadStatus.QUALIFIED],
            }
            path = paths.get(lead.status, [])
            end = lead.converted_at or self.now
            moments = sorted(self.between(created, end) for _ in path)
            previous: str = LeadStatus.NEW
            for step, moment in zip(path, moments, strict=True):
                self.entry(
                    TimelineKind.STATUS_CHANGED,
                    moment,
                    lead.owner,
                    {"from_status": previous, "to_status": step},
                    lead=lead,
                )
                previous = step
            if lead.status == LeadStatus.CONVERTED:
                self.entry(
                    TimelineKind.LEAD_CONVERTED,
                    end,
                    lead.owner,
                    {"lead": lead.full_name},
                    lead=lead,
                    company=lead.converted_company,
                    contact=lead.converted_contact,
                    deal=lead.converted_deal,
                )
            if lead.source == Source.EVENT:
                links.append(through(lead_id=lead.pk, tag_id=self.tag(_("Trade fair")).pk))
        through.objects.bulk_create(links, batch_size=BATCH)

    # ---- activities ------------------------------------------------------------------------------

    def catalog_and_quotes(self) -> None:
        base = self.base_currency
        catalog = [
            ("REL-CRM-USR", _("CRM licence, per user and month"), _("licence"), 35, 19),
            ("REL-CRM-ENT", _("CRM Enterprise licence, per user and month"), _("licence"), 59, 19),
            ("REL-ONB", _("Onboarding workshop (1 day)"), _("day"), 950, 19),
            ("REL-MIG", _("Data migration"), _("hour"), 85, 19),
            ("REL-TRN", _("User training (half day)"), _("session"), 480, 19),
            ("REL-INT", _("ERP integration"), _("hour"), 95, 19),
            ("REL-SUP-STD", _("Standard support, per year"), _("year"), 1800, 19),
            ("REL-SUP-PRM", _("Premium support, per year"), _("year"), 4800, 19),
            ("HW-SCAN-01", _("Rugged barcode scanner"), _("pcs"), 640, 19),
            ("HW-TAB-10", _("10-inch field tablet"), _("pcs"), 420, 19),
        ]
        products = bulk_create(
            Product,
            [
                Product(
                    sku=sku,
                    name=name,
                    unit=unit,
                    unit_price=self.money(price, base),
                    currency=base,
                    tax_rate=Decimal(tax),
                )
                for sku, name, unit, price, tax in catalog
                if not Product.objects.filter(sku=sku).exists()
            ],
        )
        price_list = None
        if base != "RON":
            price_list, _created = PriceList.objects.get_or_create(
                name=_("Romania (RON)"), defaults={"currency": "RON"}
            )
            bulk_create(
                PriceListItem,
                [
                    PriceListItem(
                        price_list=price_list, product=product, unit_price=self.money(float(product.unit_price), "RON")
                    )
                    for product in products
                ],
            )
        candidates = [d for d in self.deal_list if d.pipeline_id == self.default_pipeline.pk]
        proposals = [d for d in candidates if d.status == DealStatus.OPEN and d.stage.probability >= 50][:2]
        won = [d for d in candidates if d.status == DealStatus.WON][:1]
        year = self.now.year
        quotes = []
        lines: list[QuoteLine] = []
        for number, (deal, status) in enumerate(
            [(d, QuoteStatus.SENT) for d in proposals] + [(d, QuoteStatus.ACCEPTED) for d in won], start=1
        ):
            made = deal.stage_entered_at if status == QuoteStatus.SENT else deal.closed_at or self.now
            issued = made.date()
            quote = Quote(
                number=f"Q-{year}-{number:04d}",
                deal=deal,
                company=deal.company,
                contact=deal.contact,
                owner=deal.owner,
                status=status,
                currency=base,
                issued_on=issued,
                valid_until=issued + timedelta(days=30),
                discount_percent=Decimal("5") if number == 1 else Decimal("0"),
                created_by=deal.owner,
            )
            chosen = self.rng.sample(products, k=min(3, len(products)))
            quote_lines = [
                QuoteLine(
                    quote=quote,
                    position=position,
                    product=product,
                    description=product.name,
                    quantity=Decimal(self.rng.choice((1, 2, 5, 10, 25))),
                    unit_price=product.unit_price,
                    discount_percent=Decimal("10") if position == 0 else Decimal("0"),
                    tax_rate=product.tax_rate,
                )
                for position, product in enumerate(chosen)
            ]
            self._totals(quote, quote_lines)
            self.created[id(quote)] = made  # not the day's midnight, which may come before the deal
            quotes.append(quote)
            lines += quote_lines
        bulk_create_dated(Quote, quotes, self.created)
        for line in lines:
            line.quote_id = line.quote.pk
        bulk_create(QuoteLine, lines)
        for quote in quotes:
            self.entry(
                TimelineKind.QUOTE,
                self.created[id(quote)],
                quote.owner,
                {"number": quote.number, "status": quote.status, "total": str(quote.total), "currency": quote.currency},
                deal=quote.deal,
                company=quote.company,
                contact=quote.contact,
            )

    @staticmethod
    def _totals(quote: Quote, lines: list[QuoteLine]) -> None:
        """Subtotal after line discounts, the quote's discount on it, tax on what remains."""
        cent = Decimal("0.01")
        nets = [(line.quantity * line.unit_price * (100 - line.discount_percent) / 100) for line in lines]
        subtotal = sum(nets, Decimal("0")).quantize(cent)
        factor = (100 - quote.discount_percent) / 100
        tax = sum((net * factor * line.tax_rate / 100 for net, line in zip(nets, lines, strict=True)), Decimal("0"))
        quote.subtotal = subtotal
        quote.discount_total = (subtotal * quote.discount_percent / 100).quantize(cent)
        quote.tax_total = tax.quantize(cent)
        quote.total = quote.subtotal - quote.discount_total + quote.tax_total

    def rates_and_quotas(self) -> None:
        base_value = EURO_VALUE.get(self.base_currency)
        rates = []
        if base_value is not None:
            first_of_month = self.now.date().replace(day=1)
            for months_back in range(12, -1, -1):
                month = _add_months(first_of_month, -months_back)
                for currency in ("EUR", "RON", "PLN", "RSD"):
                    if currency == self.base_currency:
                        continue
                    drift = Decimal(1) + Decimal(self.rng.randint(-150, 150)) / Decimal(10000)
                    rate = (EURO_VALUE[currency] * drift / base_value).quantize(Decimal("0.00000001"))
                    rates.append(ExchangeRate(currency=currency, rate=rate, valid_from=month))
        existing = set(ExchangeRate.objects.values_list("currency", "valid_from"))
        bulk_create(ExchangeRate, [rate for rate in rates if (rate.currency, rate.valid_from) not in existing])
        this_month = self.now.date().replace(day=1)
        quotas = []
        for user in self.reps:
            monthly = self.money(self.rng.choice((40, 50, 60, 75)) * 1000, self.base_currency)
            for offset in range(-6, 3):
                quotas.append(Quota(user=user, month=_add_months(this_month, offset), amount=monthly))
        existing_quotas = set(Quota.objects.values_list("user_id", "month"))
        bulk_create(Quota, [q for q in quotas if (q.user_id, q.month) not in existing_quotas])
