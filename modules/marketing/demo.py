"""The marketing module's part of the demo tenant: campaigns of several kinds with members, costs
and touches on the demo's contacts, leads and deals, so that the campaign pages and attribution
reports have figures. Other marketing apps add theirs with ``register_demo`` from their
``AppConfig.ready()``; ``load_demo`` runs them after the campaigns."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.models import Contact
from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.services import record_touch
from modules.marketing.choices import CampaignKind, CampaignStatus, MemberStatus
from modules.marketing.models import Campaign
from modules.marketing.services.campaigns import add_members, create_campaign
from modules.sales.models import Deal, Lead

_DEMOS: list[Callable[[], None]] = []

# Touch kinds by campaign kind, for the demo's touches on deals' contacts.
TOUCH_KINDS = {
    CampaignKind.EMAIL: TouchKind.EMAIL_CLICK,
    CampaignKind.ADVERTISING: TouchKind.AD_CLICK,
    CampaignKind.WEBINAR: TouchKind.RESPONDED,
    CampaignKind.TRADE_SHOW: TouchKind.RESPONDED,
    CampaignKind.PARTNER: TouchKind.FORM,
}


def register_demo(load: Callable[[], None]) -> None:
    """Add a marketing app's demo function (run once per demo tenant, after the campaigns)."""
    if load not in _DEMOS:
        _DEMOS.append(load)


def load_demo() -> None:
    load_campaigns_demo()
    for load in list(_DEMOS):
        load()


def _campaigns(owner: User | None) -> list[Campaign]:
    today = timezone.localdate()
    specs = [
        (_("Spring product launch"), CampaignKind.EMAIL, CampaignStatus.COMPLETED, -150, -90, "5000", "4200", None),
        (_("Launch webinar"), CampaignKind.WEBINAR, CampaignStatus.COMPLETED, -120, -119, "1500", "1100", 0),
        (_("Industry Expo booth"), CampaignKind.TRADE_SHOW, CampaignStatus.COMPLETED, -80, -77, "12000", "13500", None),
        (_("Search ads"), CampaignKind.ADVERTISING, CampaignStatus.ACTIVE, -60, 30, "3000", "1800", None),
        (_("Partner referrals"), CampaignKind.PARTNER, CampaignStatus.ACTIVE, -100, 60, "2000", "600", None),
        (_("Autumn newsletter"), CampaignKind.EMAIL, CampaignStatus.PLANNED, 20, 40, "800", "0", None),
    ]
    made: list[Campaign] = []
    for name, kind, status, start, end, budget, cost, parent in specs:
        made.append(
            create_campaign(
                by=None, name=name, kind=kind, status=status, owner=owner,
                parent=made[parent] if parent is not None else None,
                start_date=today + timedelta(days=start), end_date=today + timedelta(days=end),
                budget=Decimal(budget), actual_cost=Decimal(cost), expected_revenue=Decimal(budget) * 4,
            )
        )  # fmt: skip
    return made


def load_campaigns_demo() -> None:
    if Campaign.objects.exists():
        return
    rng = random.Random(20261207)  # noqa: S311 - demo data, not security
    owner = User.objects.filter(is_active=True, role__key="admin").order_by("pk").first()
    campaigns = _campaigns(owner)
    contacts = list(Contact.objects.order_by("pk").values_list("pk", flat=True)[:400])
    leads = list(Lead.objects.order_by("pk").values_list("pk", flat=True)[:100])
    statuses = [MemberStatus.SENT, MemberStatus.RESPONDED, MemberStatus.REGISTERED, MemberStatus.ATTENDED]
    for campaign in campaigns[:5]:
        picked = rng.sample(contacts, min(len(contacts), rng.randint(25, 60)))
        for index, status in enumerate(statuses):
            add_members(campaign, by=None, contacts=picked[index::4], status=status)
        if leads:
            add_members(campaign, by=None, leads=rng.sample(leads, min(len(leads), 8)), status=MemberStatus.SENT)
    # Touches before the deals were created, on their contacts (and a few on the deals), so the
    # attribution report has influenced pipeline and won revenue under every model.
    touching = [campaign for campaign in campaigns if campaign.status != CampaignStatus.PLANNED]
    deals = list(Deal.objects.exclude(contact=None).order_by("pk").values_list("pk", "contact_id", "created_at")[:80])
    for deal_id, contact_id, created_at in deals:
        for campaign in rng.sample(touching, rng.randint(1, 3)):
            when = created_at - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
            kind = TOUCH_KINDS.get(CampaignKind(campaign.kind), TouchKind.OTHER)
            if rng.random() < 0.15:
                record_touch(campaign, kind=kind, deal=deal_id, occurred_at=when)
            else:
                record_touch(campaign, kind=kind, contact=contact_id, occurred_at=when)
