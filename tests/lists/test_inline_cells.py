"""List cells edited in place: the editable columns of the company, contact, lead and deal lists
open the inline editor, save through the record's service, show the service's errors in the cell
with nothing saved; readers see plain values and are refused; another tenant's rows are not
found; a page of editable cells costs the same queries for 5 and 50 rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identity.models import Role, User
from identity.services.accounts import create_user
from tests.customization.pages.conftest import define
from tests.lists.kinds import KINDS, Kind
from tests.tenancy import PASSWORD, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

READER = "reader-cells@example.test"

# The editable columns of each list (the custom column "tier" too), and a column that stays plain.
EDITABLE = {
    "company": ("name", "city", "email", "phone", "lifecycle_stage", "owner"),
    "contact": ("email", "phone", "job_title", "lifecycle_stage", "owner"),
    "lead": ("company_name", "email", "phone", "status", "source", "owner"),
    "deal": ("name", "amount", "owner", "expected_close_date"),
}
PLAIN = {"company": "updated_at", "contact": "company", "lead": "created_at", "deal": "stage"}
KIND_PARAMS = [pytest.param(kind, id=key) for key, kind in KINDS.items()]


def _path(kind: Kind) -> str:
    return f"{kind.path}?columns={','.join((*EDITABLE[kind.key], PLAIN[kind.key], 'tier'))}"


def _editors(html: str, kind: Kind) -> list[tuple[str, str]]:
    """(row id, field) of every cell that opens an editor."""
    return re.findall(rf'hx-get="/inline/{kind.key}/(\d+)/([\w.]+)/\?edit=1"', html)


@pytest.fixture
def reader(alpha: TenantFixture) -> User:
    with alpha.active():
        return create_user(
            email=READER, password=PASSWORD, full_name="Rea Reader", role=Role.objects.get(key="read_only"), teams=[]
        )


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_the_editable_cells_open_editors_at_constant_query_cost(alpha: TenantFixture, kind: Kind):
    admin = alpha.user()
    with alpha.active():
        define(kind.key, "tier", "text", label="Tier")
    client = alpha.client()
    client.get(_path(kind))  # warm the session and caches
    counts = []
    for total in (5, 50):
        with alpha.active():
            while kind.model._default_manager.count() < total:
                kind.make(f"Row{kind.model._default_manager.count():03}", owner=admin, custom={"tier": "gold"})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_path(kind))
        assert response.status_code == 200
        editors = _editors(response.content.decode(), kind)
        fields = {field for _, field in editors}
        assert fields == {*EDITABLE[kind.key], "custom.tier"}  # the plain column has no editor
        assert len(editors) == total * len(fields)
        counts.append(len(captured))

    assert counts[0] == counts[1]


EDITS = {  # (field, good value, stored, bad value, the error shown)
    "company": ("email", "sales@cells.example", "sales@cells.example", "not-an-address", "valid email"),
    "contact": ("phone", "+1 555 0100", "+1 555 0100", "\x00", "Null characters"),
    "lead": ("status", "qualified", "qualified", "converted", "converting it"),
    "deal": ("amount", "2500", "2500.00", "-5", "greater than or equal to 0"),
}


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_a_cell_saves_through_the_service_and_a_bad_value_saves_nothing(alpha: TenantFixture, kind: Kind):
    field, good, stored, bad, error = EDITS[kind.key]
    with alpha.active():
        row = kind.make("Cell", owner=alpha.user())
    client = alpha.client()
    url = f"/inline/{kind.key}/{row.pk}/{field}/"
    assert (str(row.pk), field) in _editors(client.get(kind.path + f"?columns={field}").content.decode(), kind)
    before = schema_snapshot(alpha.tenant)

    refused = client.post(url, {"value": bad})

    assert refused.status_code == 422
    assert 'data-testid="inline-error"' in refused.content.decode()
    assert error in refused.content.decode()
    assert schema_snapshot(alpha.tenant) == before

    saved = client.post(url, {"value": good})

    assert saved.status_code == 200
    assert 'name="value"' not in saved.content.decode()
    with alpha.active():
        assert str(getattr(kind.model._default_manager.get(pk=row.pk), field)) == stored


NAMED = [pytest.param(KINDS["company"], "/companies/", id="company"), pytest.param(KINDS["deal"], "/deals/", id="deal")]


@pytest.mark.parametrize(("kind", "detail"), NAMED)
def test_a_name_cell_is_the_records_link_before_and_after_it_is_edited(alpha: TenantFixture, kind: Kind, detail: str):
    with alpha.active():
        row = kind.make("Named", owner=alpha.user())
    client = alpha.client()
    link = f'<a href="{detail}{row.pk}/">'

    cell = client.get(kind.path).content.decode().split(f'id="row-{row.pk}"', 1)[1].split("</td>", 1)[0]
    assert f"{link}Named</a>" in cell
    assert f'hx-get="/inline/{kind.key}/{row.pk}/name/?edit=1"' in cell

    saved = client.post(f"/inline/{kind.key}/{row.pk}/name/", {"value": "Renamed"})

    assert saved.status_code == 200
    assert f"{link}Renamed</a>" in saved.content.decode()
    with alpha.active():
        assert kind.model._default_manager.get(pk=row.pk).name == "Renamed"


def test_a_deal_amount_cell_shows_its_currency_inside_the_value(alpha: TenantFixture):
    with alpha.active():
        deal = KINDS["deal"].make("Priced", owner=alpha.user(), amount=1234.5, currency="USD")
    client = alpha.client()

    html = client.get("/deals/?columns=amount").content.decode()
    saved = client.post(f"/inline/deal/{deal.pk}/amount/", {"value": "2500"}).content.decode()

    # The currency sits before the pencil, in the value, not after the pencil's room.
    assert re.search(rf'/inline/deal/{deal.pk}/amount/\?edit=1"[^>]*>1,234.50 USD <i class="bi bi-pencil', html)
    assert re.search(r'>2,500.00 USD <i class="bi bi-pencil', saved)


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_a_reader_sees_plain_cells_and_cannot_edit(alpha: TenantFixture, reader: User, kind: Kind):
    field = EDITS[kind.key][0]
    with alpha.active():
        define(kind.key, "tier", "text", label="Tier")
        row = kind.make("Cell", owner=alpha.user(), custom={"tier": "gold"})
    client = alpha.client(READER)
    before = schema_snapshot(alpha.tenant)

    html = client.get(_path(kind)).content.decode()

    assert f'value="{row.pk}"' in html or f'id="row-{row.pk}"' in html  # the reader sees the row
    assert "data-inline-field" not in html
    assert 'data-cf="tier">gold<' in html
    assert client.get(f"/inline/{kind.key}/{row.pk}/{field}/?edit=1").status_code == 403
    assert client.post(f"/inline/{kind.key}/{row.pk}/{field}/", {"value": EDITS[kind.key][1]}).status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_another_tenants_list_cells_are_not_found(alpha: TenantFixture, beta: TenantFixture):
    requests: list[tuple[str, str, dict[str, object]]] = []
    with alpha.active():
        for key, kind in KINDS.items():
            row = kind.make("Cell", owner=alpha.user())
            field, good = EDITS[key][0], EDITS[key][1]
            requests.append(("get", f"/inline/{key}/{row.pk}/{field}/?edit=1", {}))
            requests.append(("post", f"/inline/{key}/{row.pk}/{field}/", {"value": good}))
            requests.append(("post", f"/inline/{key}/{row.pk}/custom.tier/", {"value": "stolen"}))
    assert_cross_tenant_requests_fail(alpha, beta, requests)
