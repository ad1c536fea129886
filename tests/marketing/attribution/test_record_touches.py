"""A record's source campaign and touches on its page (the "Campaigns" card of contacts, leads and
deals): a contact's and a lead's own touches, a deal's influencing ones by the attribution rule;
campaigns and records the reader may not see stay hidden; roles, the plan and another workspace."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.services import record_touch
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory, DealFactory
from tests.marketing.attribution.records import touched_records
from tests.marketing.campaigns.conftest import make_campaign
from tests.sales.catalog.conftest import MakeUser
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, grant

CARD = "/marketing/campaigns/of"


def _touch_names(card: str) -> list[str]:
    listed = card.split('data-testid="record-touch-list"', 1)[1].split("</ul>", 1)[0]
    return [part.split(">", 1)[1].split("</a>", 1)[0] for part in listed.split("<a ")[1:]]


def _source(card: str) -> str:
    return card.split('data-testid="record-source-campaign"', 1)[1].split("</div>", 1)[0]


def test_contacts_leads_and_deals_show_their_source_campaign_and_touches(alpha: TenantFixture) -> None:
    contact, lead, deal = touched_records(alpha)
    client = alpha.client()

    contact_card = client.get(f"{CARD}/contact/{contact.pk}/").content.decode()
    lead_card = client.get(f"{CARD}/lead/{lead.pk}/").content.decode()
    deal_card = client.get(f"{CARD}/deal/{deal.pk}/").content.decode()
    deal_page = client.get(f"/deals/{deal.pk}/").content.decode()

    assert "Webinar" in _source(contact_card)
    assert _touch_names(contact_card) == ["Late news", "Newsletter", "Webinar"]
    assert "Trade show" in _source(lead_card)
    assert _touch_names(lead_card) == ["Trade show"]
    # The deal: its own touch, and the contact's and the lead's before its creation — not Late news.
    assert "Webinar" in _source(deal_card)
    assert _touch_names(deal_card) == ["Retargeting", "Newsletter", "Trade show", "Webinar"]
    assert f"{CARD}/deal/{deal.pk}/" in deal_page


def test_the_card_costs_the_same_queries_for_few_and_many_touches(alpha: TenantFixture) -> None:
    contact, _lead, _deal = touched_records(alpha)
    client = alpha.client()

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{CARD}/contact/{contact.pk}/").status_code == 200
        return len(captured.captured_queries)

    few = count()
    with alpha.active():
        for number in range(12):
            record_touch(make_campaign(alpha, name=f"More {number}"), kind=TouchKind.VISIT, contact=contact)
    assert count() == few


def test_a_rep_sees_only_the_campaigns_and_deals_they_may_see(alpha: TenantFixture, make_user: MakeUser) -> None:
    contact, _lead, deal = touched_records(alpha)
    rep = make_user("sales_rep", "rita-touch@example.test")
    grant(alpha, "sales_rep", "marketing.view")
    breakfast = make_campaign(alpha, name="Breakfast", owner=rep)
    gala = make_campaign(alpha, name="Gala")  # the admin's: hidden from the rep
    now = timezone.now()
    with alpha.active():
        own_contact = ContactFactory(owner=rep)
        own_deal = DealFactory(contact=own_contact, owner=rep)
        record_touch(breakfast, kind=TouchKind.RESPONDED, contact=own_contact, occurred_at=now - timedelta(days=2))
        record_touch(gala, kind=TouchKind.RESPONDED, deal=own_deal, occurred_at=now - timedelta(days=3))
    client = alpha.client("rita-touch@example.test")

    own_card = client.get(f"{CARD}/deal/{own_deal.pk}/").content.decode()

    assert _touch_names(own_card) == ["Breakfast"]
    assert "Gala" not in own_card
    assert "a campaign you may not see" in _source(own_card)
    assert client.get(f"{CARD}/deal/{deal.pk}/").status_code == 404
    assert client.get(f"{CARD}/contact/{contact.pk}/").status_code == 404
    assert client.get(f"{CARD}/order/{deal.pk}/").status_code == 404


def test_roles_without_marketing_a_workspace_without_it_and_another_workspace_get_no_card(
    alpha: TenantFixture, beta: TenantFixture, make_user: MakeUser
) -> None:
    _contact, lead, deal = touched_records(alpha)
    make_user("sales_rep", "seller-touch@example.test")
    seller = alpha.client("seller-touch@example.test")  # sales, no marketing.view

    assert seller.get(f"{CARD}/deal/{deal.pk}/").status_code == 403
    assert_cross_tenant_requests_fail(alpha, beta, [
        ("get", f"{CARD}/deal/{deal.pk}/", {}), ("get", f"{CARD}/lead/{lead.pk}/", {}),
    ])  # fmt: skip
    with alpha.active():
        without_modules(alpha, "marketing")
    admin = alpha.client()
    assert f"{CARD}/deal/{deal.pk}/" not in admin.get(f"/deals/{deal.pk}/").content.decode()
    assert admin.get(f"{CARD}/deal/{deal.pk}/").status_code == 403
