"""Inline editing: a field's value, its editor, a save through the record's service, the service's
errors in place with nothing saved, permissions, visibility, plan and tenant isolation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.fields.services import create_definition
from identity.models import Role, User
from identity.services.accounts import create_user
from modules.contacts.models import Company, TimelineEntry
from modules.sales.models import Deal, Lead
from tenants.models import Tenant
from tests.factories import CompanyFactory, DealFactory, LeadFactory
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

READER = "reader-inline@example.test"


@pytest.fixture
def reader(alpha: TenantFixture) -> User:
    with alpha.active():
        return create_user(
            email=READER, password=PASSWORD, full_name="Rea Reader", role=Role.objects.get(key="read_only"), teams=[]
        )


def test_a_value_opens_its_editor_and_a_save_goes_through_the_service(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user(), industry="Retail")
    client = alpha.client()
    url = f"/inline/company/{company.pk}/industry/"

    shown = client.get(url).content.decode()
    editor = client.get(f"{url}?edit=1").content.decode()
    saved = client.post(url, {"value": "Logistics"})

    assert 'data-testid="inline-value"' in shown
    assert "Retail" in shown
    assert 'name="value"' in editor
    assert 'value="Retail"' in editor
    assert f'hx-post="{url}"' in editor
    assert saved.status_code == 200
    assert "Logistics" in saved.content.decode()
    assert 'name="value"' not in saved.content.decode()
    with alpha.active():
        assert Company.objects.get(pk=company.pk).industry == "Logistics"
        entry = TimelineEntry.objects.get(company=company, kind="updated")
    assert entry.data["changes"][0]["new"] == "Logistics"


def test_a_choice_is_shown_by_its_label(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())

    saved = alpha.client().post(f"/inline/company/{company.pk}/lifecycle_stage/", {"value": "customer"})

    assert saved.status_code == 200
    assert "Customer" in saved.content.decode()


def test_bad_input_shows_the_error_in_place_and_saves_nothing(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user(), amount=Decimal("100.00"))
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    negative = client.post(f"/inline/deal/{deal.pk}/amount/", {"value": "-5"})
    not_a_number = client.post(f"/inline/deal/{deal.pk}/amount/", {"value": "lots"})
    nul = client.post(f"/inline/deal/{deal.pk}/name/", {"value": "Bad\x00name"})

    for response in (negative, not_a_number, nul):
        html = response.content.decode()
        assert response.status_code == 422
        assert 'data-testid="inline-error"' in html
        assert 'name="value"' in html
    assert 'value="-5"' in negative.content.decode()  # what was typed stays to correct it
    assert schema_snapshot(alpha.tenant) == before


def test_a_service_rule_is_shown_in_place(alpha: TenantFixture):
    with alpha.active():
        lead = LeadFactory(owner=alpha.user(), status="new")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/inline/lead/{lead.pk}/status/", {"value": "converted"})

    assert response.status_code == 422
    assert "A lead becomes converted by converting it." in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        assert Lead.objects.get(pk=lead.pk).status == "new"


def test_custom_fields_are_edited_in_place_with_their_validation(alpha: TenantFixture):
    with alpha.active():
        create_definition(
            by=None, entity="deal", key="tier", label="Tier", field_type="single_select",
            options=[{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}],
        )  # fmt: skip
        create_definition(by=None, entity="deal", key="seats", label="Seats", field_type="number")
        deal = DealFactory(owner=alpha.user())
    client = alpha.client()

    page = client.get(f"/deals/{deal.pk}/").content.decode()
    saved = client.post(f"/inline/deal/{deal.pk}/custom.tier/", {"value": "gold"})
    refused = client.post(f"/inline/deal/{deal.pk}/custom.seats/", {"value": "many"})

    assert f'hx-get="/inline/deal/{deal.pk}/custom.tier/?edit=1"' in page
    assert saved.status_code == 200
    assert "Gold" in saved.content.decode()
    assert refused.status_code == 422
    assert 'data-testid="inline-error"' in refused.content.decode()
    with alpha.active():
        assert Deal.objects.get(pk=deal.pk).custom == {"tier": "gold"}


def test_fields_not_edited_in_place_are_not_found(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    client = alpha.client()

    for path in (
        f"/inline/deal/{deal.pk}/stage/", f"/inline/deal/{deal.pk}/custom.nothing/", f"/inline/nothing/{deal.pk}/name/",
    ):  # fmt: skip
        assert client.post(path, {"value": "1"}).status_code == 404


def test_a_reader_sees_values_but_cannot_edit(alpha: TenantFixture, reader: User):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        deal = DealFactory(owner=alpha.user())
    client = alpha.client(READER)
    before = schema_snapshot(alpha.tenant)

    assert client.get(f"/inline/company/{company.pk}/industry/?edit=1").status_code == 403
    assert client.post(f"/inline/company/{company.pk}/industry/", {"value": "X"}).status_code == 403
    assert client.post(f"/inline/deal/{deal.pk}/name/", {"value": "X"}).status_code == 403
    assert "inline-value" not in client.get(f"/companies/{company.pk}/").content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_rep_cannot_edit_a_record_out_of_sight(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        deal = DealFactory(owner=alpha.user())
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    assert client.get(f"/inline/company/{company.pk}/industry/").status_code == 404
    assert client.post(f"/inline/company/{company.pk}/industry/", {"value": "X"}).status_code == 404
    assert client.post(f"/inline/deal/{deal.pk}/amount/", {"value": "1"}).status_code == 404
    assert schema_snapshot(alpha.tenant) == before


def test_sales_records_need_the_sales_module(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=[])

    assert alpha.client().post(f"/inline/deal/{deal.pk}/name/", {"value": "X"}).status_code == 403


def test_inline_editing_refuses_another_tenants_ids(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        deal = DealFactory(owner=alpha.user())
        for _ in range(3):  # ids beyond the other tenant's
            CompanyFactory()
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/inline/company/{company.pk}/industry/?edit=1", {}),
            ("post", f"/inline/company/{company.pk}/industry/", {"value": "Stolen"}),
            ("post", f"/inline/deal/{deal.pk}/amount/", {"value": "1"}),
        ],
    )


def test_a_record_page_costs_the_same_queries_for_few_or_many_inline_custom_fields(alpha: TenantFixture):
    with alpha.active():
        deal = DealFactory(owner=alpha.user())
    client = alpha.client()
    counts = []
    defined = 0
    for total in (2, 8):
        with alpha.active():
            while defined < total:
                create_definition(
                    by=None, entity="deal", key=f"f{defined}", label=f"Field {defined}", field_type="text"
                )
                defined += 1
        client.get(f"/deals/{deal.pk}/")
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/deals/{deal.pk}/").content.decode()
        counts.append(len(queries))
        assert page.count(f"/inline/deal/{deal.pk}/custom.f") == total

    assert counts[0] == counts[1]
