"""A widget says how fresh its figures are, in REST and GraphQL as on the page: "Rebuilding" while
its rollup is rebuilt (the figures, read from the records, are the same), "Updated just now" once
built with nothing waiting, "Updated 5 minutes ago" while a change of five minutes ago waits in the
outbox (``as_of`` is that change's moment), nothing for a widget read from the records."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from graphql_relay import to_global_id

from customization.events.dispatcher import dispatch_pending
from customization.events.models import DomainEvent
from modules.analytics.dashboards import closed_deals_rollup
from modules.analytics.dashboards.models import RollupState
from modules.analytics.dashboards.services import add_widget, create_dashboard
from modules.sales.models import Deal
from modules.sales.services.deals import update_deal
from tests.analytics.dashboards.conftest import World
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.tenancy import TenantFixture

URL = "/api/v1/analytics/dashboards/"
READ = ("analytics:read", "sales:read")
QUERY = """query($id: ID!) {
  dashboard(id: $id) { widgets { kind data(period: "all") { value asOf freshness freshnessText } } }
}"""


def test_a_widget_says_how_fresh_its_rollup_is_in_rest_and_graphql(alpha: TenantFixture, world: World):
    with alpha.active():
        dashboard = create_dashboard(by=world.admin, name="Fresh", sharing="everyone")
        won = add_widget(dashboard, by=world.admin, kind="sales-won-revenue")
        leads = add_widget(dashboard, by=world.admin, kind="sales-new-leads-by-source")
        RollupState.objects.filter(key=closed_deals_rollup.KEY).delete()
    _key, token = issue_key(alpha, scopes=READ)
    client = bearer_client(alpha, token)
    won_data = f"{URL}{dashboard.pk}/widgets/{won.pk}/data/"

    rebuilding = client.get(won_data, {"period": "all"}).json()
    assert (rebuilding["freshness"], rebuilding["freshness_text"]) == ("rebuilding", "Rebuilding")

    with alpha.active():
        dispatch_pending()
        closed_deals_rollup.rebuild()
    current = client.get(won_data, {"period": "all"}).json()
    assert (current["freshness"], current["freshness_text"]) == ("rollup", "Updated just now")
    assert current["value"] == rebuilding["value"]

    with alpha.active():
        update_deal(Deal.objects.get(pk=world.deals["O1"].pk), by=world.admin, amount=Decimal("1100.00"))
        waiting_since = timezone.now() - timedelta(minutes=5)
        assert DomainEvent.objects.filter(published_at__isnull=True, entity="deal").update(occurred_at=waiting_since)
    behind = client.get(won_data, {"period": "all"}).json()
    # The figure and its unit are kept on one line (a no-break space between them).
    assert (behind["freshness"], behind["freshness_text"]) == ("rollup", "Updated 5\xa0minutes ago")
    assert datetime.fromisoformat(behind["as_of"]) == waiting_since

    live = client.get(f"{URL}{dashboard.pk}/widgets/{leads.pk}/data/", {"period": "all"}).json()
    assert (live["freshness"], live["freshness_text"], live["as_of"]) == ("live", "", None)

    body = post_graphql(client, QUERY, {"id": to_global_id("Dashboard", dashboard.pk)}).json()
    answers = {widget["kind"]: widget["data"] for widget in body["data"]["dashboard"]["widgets"]}
    assert answers["sales-won-revenue"]["freshness"] == "rollup"
    assert answers["sales-won-revenue"]["freshnessText"] == "Updated 5\xa0minutes ago"
    assert datetime.fromisoformat(answers["sales-won-revenue"]["asOf"]) == waiting_since
    assert answers["sales-new-leads-by-source"] == {
        "value": None, "asOf": None, "freshness": "live", "freshnessText": "",
    }  # fmt: skip
