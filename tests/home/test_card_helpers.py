"""The helpers the modules' home cards share: the scoped records and the first rows with their total."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.contacts.models import Company
from modules.contacts.selectors.lists import visible_companies
from modules.home.cards import first_rows, scoped
from modules.home.scope import ME, TEAM, Scope
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def test_scoped_keeps_the_visibility_rule_within_the_scope_and_the_filters(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        mine = CompanyFactory(name="Mine", owner=rep, city="Cluj")
        CompanyFactory(name="Mine elsewhere", owner=rep, city="Iasi")
        CompanyFactory(name="The admin's", owner=admin, city="Cluj")
        everyone = Scope(TEAM, None, can_switch=True)

        as_rep = scoped(visible_companies, rep, everyone, city="Cluj")
        as_admin_for_rep = scoped(visible_companies, admin, Scope(ME, frozenset({rep.pk}), False), city="Cluj")

        assert list(as_rep) == [mine]  # the rep sees only their own, whatever the scope
        assert list(as_admin_for_rep) == [mine]


def test_first_rows_counts_only_when_the_page_is_full(alpha: TenantFixture):
    with alpha.active():
        for name in ("C", "A", "B"):
            CompanyFactory(name=f"First rows {name}")
        companies = Company.objects.filter(name__startswith="First rows")

        with CaptureQueriesContext(connection) as short:
            rows, total = first_rows(companies, 5, "name")
        with CaptureQueriesContext(connection) as full:
            head, all_rows = first_rows(companies, 2, "-name")

        assert ([c.name for c in rows], total) == (["First rows A", "First rows B", "First rows C"], 3)
        assert ([c.name for c in head], all_rows) == (["First rows C", "First rows B"], 3)
        assert (len(short), len(full)) == (1, 2)
