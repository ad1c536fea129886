"""The grid page's filter controls: the owner filter is a searchable picker over people and teams
(its endpoint within the workspace, for readers of analytics only), the custom range is typed in
the reader's own date format, and tables say the currency of their amounts."""

from __future__ import annotations

import json
from datetime import date

from django.test import Client
from django.utils import translation

from identity.models import User
from modules.analytics.dashboards.filters import read_filters
from modules.analytics.dashboards.services import add_widget, create_dashboard
from tests.analytics.reports.conftest import World
from tests.tenancy import TenantFixture, revoke

MARA = "mara@example.test"
PICKER = "/analytics/dashboards/owners/"


def _config(body: str) -> dict:
    return json.loads(body.split('id="dashboard-config" type="application/json">')[1].split("</script>")[0])


def test_the_owner_picker_finds_people_and_teams_of_the_workspace(alpha: TenantFixture, world: World):
    client = alpha.client(MARA)

    found = client.get(PICKER, {"q": "an"}).json()["results"]
    by_id = {item["id"]: item for item in found}
    assert by_id[f"owner:{world.ana.pk}"]["label"] == world.ana.display_name
    assert by_id[f"owner:{world.ana.pk}"]["detail"] == world.ana.email
    teams = client.get(PICKER, {"q": world.team.name[:4]}).json()["results"]
    assert {"id": f"team:{world.team.pk}", "label": world.team.name, "detail": "Team"} in teams
    # Deactivated people are not offered; nothing typed, a NUL or nothing matching finds nobody.
    with alpha.active():
        User.objects.filter(pk=world.ana.pk).update(is_active=False)
    assert f"owner:{world.ana.pk}" not in {item["id"] for item in client.get(PICKER, {"q": "an"}).json()["results"]}
    for q in ("", "a\x00b", "no such person at all"):
        assert client.get(PICKER, {"q": q}).json() == {"results": []}


def test_the_owner_picker_needs_analytics_and_stays_in_its_workspace(
    alpha: TenantFixture, beta: TenantFixture, world: World
):
    revoke(alpha, "manager", "analytics.view")
    assert alpha.client(MARA).get(PICKER, {"q": "an"}).status_code == 403
    # Another workspace's admin finds their own people, never these; this workspace's session
    # does not open the picker on another host.
    intruder = beta.client()
    names = {item["label"] for item in intruder.get(PICKER, {"q": "a"}).json()["results"]}
    assert not names & {world.ana.display_name, world.mara.display_name, world.cid.display_name}
    stolen = Client(HTTP_HOST=beta.host)
    stolen.cookies = alpha.client(MARA).cookies
    assert stolen.get(PICKER, {"q": "an"}).status_code != 200


def test_the_page_shows_the_chosen_owner_and_dates_in_the_readers_format(alpha: TenantFixture, world: World):
    with alpha.active():
        dashboard = create_dashboard(by=world.mara, name="Board", sharing="everyone")
    client = alpha.client(MARA)

    page = client.get(f"/analytics/dashboards/{dashboard.pk}/", {"owner": world.ana.pk, "start": "2025-02-01"})
    body = page.content.decode()
    assert page.status_code == 200
    assert f'name="who" value="owner:{world.ana.pk}"' in body
    assert f'value="{world.ana.display_name}"' in body
    assert 'type="text" name="start" value="2025-02-01"' in body  # English writes ISO dates
    team_page = client.get(f"/analytics/dashboards/{dashboard.pk}/", {"team": world.team.pk}).content.decode()
    assert f'name="who" value="team:{world.team.pk}"' in team_page
    # The page no longer lists every user of the workspace.
    assert world.cid.email not in body


def test_a_custom_range_reads_the_readers_format_and_names_a_bad_date(alpha: TenantFixture, world: World):
    with alpha.active(), translation.override("ro"):
        chosen = read_filters({"start": "01.02.2025", "end": "2025-02-28"}, "this_month")
        assert (chosen.applied.start, chosen.applied.end) == (date(2025, 2, 1), date(2025, 2, 28))
    with alpha.active(), translation.override("en"):
        assert read_filters({"start": "02/01/2025"}, "this_month").applied.start == date(2025, 2, 1)
    with alpha.active():
        dashboard = create_dashboard(by=world.mara, name="Board", sharing="everyone")
    response = alpha.client(MARA).get(f"/analytics/dashboards/{dashboard.pk}/", {"start": "31.31.2025"})
    assert response.status_code == 400
    assert "start" in response.content.decode()


def test_tables_say_the_currency_of_their_amounts(alpha: TenantFixture, world: World):
    with alpha.active():
        dashboard = create_dashboard(by=world.admin, name="Board", sharing="everyone")
        widget = add_widget(dashboard, by=world.admin, kind="sales-pipeline-by-owner")
    client = alpha.client()

    data = client.get(f"/analytics/dashboards/{dashboard.pk}/widgets/{widget.pk}/data/").json()
    assert data["column_units"] == ["", "", data["unit"]]
    assert data["unit"] == alpha.tenant.currency
    config = _config(client.get(f"/analytics/dashboards/{dashboard.pk}/").content.decode())
    assert config["widgets"][0]["place"] == {"x": widget.x, "y": widget.y, "w": widget.width, "h": widget.height}
