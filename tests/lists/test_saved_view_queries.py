"""The contacts, deals and orders lists opened from a saved view that filters, sorts and picks
columns cost the same queries for 5 and 50 matching rows (rows the filters leave out present too)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.contacts.models import Contact, SavedView
from modules.sales.models import Deal, Order
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.sales.orders.conftest import make_order
from tests.tenancy import REP_EMAIL, TenantFixture


def _contact(alpha: TenantFixture, matching: bool) -> None:
    with alpha.active():
        owner = alpha.user() if matching else alpha.user(REP_EMAIL)
        ContactFactory(owner=owner, company=CompanyFactory(owner=owner), lifecycle_stage="customer")


def _deal(alpha: TenantFixture, matching: bool) -> None:
    with alpha.active():
        owner = alpha.user() if matching else alpha.user(REP_EMAIL)
        DealFactory(owner=owner, company=CompanyFactory(owner=owner), status="open")


def _order(alpha: TenantFixture, matching: bool) -> None:
    make_order(alpha, owner_email=None if matching else REP_EMAIL)


LISTS: dict[str, tuple[str, Any, Callable[[TenantFixture, bool], None], dict[str, str], list[str]]] = {
    "contact": ("/contacts/", Contact, _contact, {"lifecycle_stage": "customer", "sort": "full_name"},
                ["company", "owner", "email", "tags"]),
    "deal": ("/deals/", Deal, _deal, {"status": "open", "sort": "-amount"}, ["company", "stage", "owner"]),
    "order": ("/orders/", Order, _order, {"status": "confirmed"}, []),
}  # fmt: skip


@pytest.mark.parametrize("entity", list(LISTS))
def test_a_saved_view_with_filters_costs_the_same_queries_for_5_and_50_rows(alpha: TenantFixture, entity: str):
    path, model, make, query, columns = LISTS[entity]
    admin = alpha.user()
    with alpha.active():
        saved = SavedView.objects.create(
            owner=admin, entity=entity, name="Mine", query={**query, "owner": str(admin.pk)}, columns=columns
        )
    client = alpha.client()
    opened = client.get(path, {"view": saved.pk})
    assert opened.status_code == 302
    location = opened["Location"]
    assert f"saved_view={saved.pk}" in location
    counts = []
    for total in (5, 50):
        with alpha.active():
            while model.objects.filter(owner=admin).count() < total:
                make(alpha, True)
            make(alpha, False)  # one the filters leave out
        with CaptureQueriesContext(connection) as captured:
            response = client.get(location)
        assert response.status_code == 200
        assert len(re.findall(r'name="ids" value="(\d+)"', response.content.decode())) == total
        counts.append(len(captured))

    assert counts[0] == counts[1]
