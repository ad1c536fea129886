"""Attribution figures against hand-computed ones: which touches influence a deal, each model's
shares, won revenue, pipeline, exchange rates and ROI; and the source campaign kept on the
earliest touch."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from modules.contacts.models import ExchangeRate
from modules.contacts.services.money import base_currency
from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.models import SourceCampaign, Touch
from modules.marketing.attribution.selectors import attribution
from modules.marketing.attribution.services import record_touch
from modules.marketing.models import Campaign
from modules.sales.models import Deal
from tests.factories import CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.marketing.campaigns.conftest import make_campaign
from tests.tenancy import TenantFixture


def _deal(created_days_ago: int, **values) -> Deal:
    deal = DealFactory(**values)
    Deal.objects.filter(pk=deal.pk).update(created_at=timezone.now() - timedelta(days=created_days_ago))
    return deal


def test_influence_shares_revenue_pipeline_and_roi_match_the_hand_computed_figures(alpha: TenantFixture):
    """A: touches c1 30 days ago, c1 again 1 day ago and deal D2 directly; B: c2 (same company) 20
    days ago; C: the lead 10 days ago.
    D1 won 3000 EUR (c1, company, lead; 5 days old): A, B, C. D2 open 1200 (c2; 2 days): B, then A
    on the deal. D3 lost 800 (c1; 3 days): A. D4 won 500 USD at 0.9 = 450 (c1; 4 days): A. D5 won
    100 GBP without a rate (c1): A, unconverted."""
    a = make_campaign(alpha, name="A", actual_cost=Decimal("1000"))
    b = make_campaign(alpha, name="B", actual_cost=Decimal("500"))
    c = make_campaign(alpha, name="C")
    now = timezone.now()
    with alpha.active():
        assert base_currency() == "EUR"
        ExchangeRate.objects.create(
            currency="USD", rate=Decimal("0.9"), valid_from=timezone.localdate() - timedelta(days=400)
        )
        company = CompanyFactory()
        c1, c2 = ContactFactory(company=company), ContactFactory(company=company)
        lead = LeadFactory()
        d1 = _deal(5, contact=c1, company=company, lead=lead, amount=Decimal("3000"), status="won")
        d2 = _deal(2, contact=c2, amount=Decimal("1200"))
        _deal(3, contact=c1, amount=Decimal("800"), status="lost")
        _deal(4, contact=c1, amount=Decimal("500"), currency="USD", status="won")
        _deal(4, contact=c1, amount=Decimal("100"), currency="GBP", status="won")
        record_touch(a, kind=TouchKind.EMAIL_CLICK, contact=c1, occurred_at=now - timedelta(days=30))
        record_touch(b, kind=TouchKind.RESPONDED, contact=c2, occurred_at=now - timedelta(days=20))
        record_touch(c, kind=TouchKind.FORM, lead=lead, occurred_at=now - timedelta(days=10))
        record_touch(a, kind=TouchKind.EMAIL_CLICK, contact=c1, occurred_at=now - timedelta(days=1))
        record_touch(a, kind=TouchKind.AD_CLICK, deal=d2, occurred_at=now)
        rows = {row.name: row for row in attribution(Campaign.objects.all())}
        d1.refresh_from_db()

    def figures(name: str, model: str) -> tuple[Decimal, Decimal, Decimal | None]:
        shown = rows[name].by_model[model]
        return shown.pipeline, shown.won, shown.roi

    D = Decimal
    assert figures("A", "first") == (D("3450.00"), D("3450.00"), D("2.4500"))
    assert figures("B", "first") == (D("1200.00"), D("0.00"), D("-1.0000"))
    assert figures("C", "first") == (D("0.00"), D("0.00"), None)  # no cost: no ROI
    assert figures("A", "last") == (D("1650.00"), D("450.00"), D("-0.5500"))
    assert figures("B", "last") == (D("0.00"), D("0.00"), D("-1.0000"))
    assert figures("C", "last") == (D("3000.00"), D("3000.00"), None)
    assert figures("A", "linear") == (D("2050.00"), D("1450.00"), D("0.4500"))
    assert figures("B", "linear") == (D("1600.00"), D("1000.00"), D("1.0000"))
    assert figures("C", "linear") == (D("1000.00"), D("1000.00"), None)
    assert (rows["A"].deals, rows["A"].won_deals, rows["A"].unconverted) == (5, 3, 1)
    assert (rows["B"].deals, rows["B"].won_deals, rows["C"].deals) == (2, 1, 1)
    assert rows["A"].cost == D("1000.00")
    assert rows["A"].by_model["linear"].roi_percent == D("45.0")


def test_the_period_counts_the_deals_created_in_it(alpha: TenantFixture):
    a = make_campaign(alpha, name="A")
    now = timezone.now()
    with alpha.active():
        contact = ContactFactory()
        _deal(40, contact=contact, amount=Decimal("700"), status="won")
        _deal(3, contact=contact, amount=Decimal("300"), status="won")
        record_touch(a, kind=TouchKind.OTHER, contact=contact, occurred_at=now - timedelta(days=60))
        (recent,) = attribution(Campaign.objects.all(), start=now - timedelta(days=10))
        (everything,) = attribution(Campaign.objects.all())
    assert recent.by_model["first"].won == Decimal("300.00")
    assert everything.by_model["first"].won == Decimal("1000.00")


def test_only_the_given_campaigns_are_reported(alpha: TenantFixture):
    make_campaign(alpha, name="Shown")
    make_campaign(alpha, name="Hidden")
    with alpha.active():
        rows = attribution(Campaign.objects.filter(name__startswith="Sh"))
    assert [row.name for row in rows] == ["Shown"]


def test_the_source_campaign_is_the_earliest_touch_whatever_the_order(alpha: TenantFixture):
    late = make_campaign(alpha, name="Late")
    early = make_campaign(alpha, name="Early")
    now = timezone.now()
    with alpha.active():
        contact = ContactFactory()
        record_touch(late, kind=TouchKind.FORM, contact=contact, occurred_at=now - timedelta(days=1))
        assert SourceCampaign.objects.get(contact=contact).campaign_id == late.pk
        record_touch(early, kind=TouchKind.FORM, contact=contact, occurred_at=now - timedelta(days=9))
        record_touch(late, kind=TouchKind.FORM, contact=contact, occurred_at=now - timedelta(days=5))
        source = SourceCampaign.objects.get(contact=contact)
        assert source.campaign_id == early.pk
        assert Touch.objects.filter(contact=contact).count() == 3


def test_a_touch_names_exactly_one_record_and_a_valid_kind_and_moment(alpha: TenantFixture):
    campaign = make_campaign(alpha)
    with alpha.active():
        contact, lead = ContactFactory(), LeadFactory()
        for values, field in (
            ({"contact": contact, "lead": lead, "kind": TouchKind.FORM}, "record"),
            ({"kind": TouchKind.FORM}, "record"),
            ({"contact": contact, "kind": "telepathy"}, "kind"),
            ({"contact": contact, "kind": TouchKind.FORM, "occurred_at": timezone.now().replace(year=9500)},
             "occurred_at"),
        ):  # fmt: skip
            with pytest.raises(ValidationError) as refused:
                record_touch(campaign, **values)
            assert field in refused.value.message_dict
        assert not Touch.objects.exists()
