"""Merging duplicates from the record page: search, preview, confirm."""

from identity.models import Role
from identity.services.accounts import create_user
from modules.activities.models import Activity
from modules.contacts.models import Company, Contact, TimelineEntry
from modules.sales.models import Deal
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, TimelineEntryFactory
from tests.tenancy import PASSWORD, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def test_a_duplicate_company_is_found_previewed_and_merged(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        survivor = CompanyFactory(name="Wayne Enterprises", owner=admin, website="")
        duplicate = CompanyFactory(name="Wayne Enterprises Inc", owner=admin, website="https://wayne.example")
        activity = ActivityFactory(company=duplicate, assignee=admin)
        deal = DealFactory(company=duplicate, owner=admin)
        contact = ContactFactory(company=duplicate, owner=admin)
        entry = TimelineEntryFactory(company=duplicate)
    client = alpha.client()

    found = client.get(f"/companies/{survivor.pk}/merge/", {"q": "Wayne"}).content.decode()
    preview = client.get(f"/companies/{survivor.pk}/merge/", {"duplicate": duplicate.pk}).content.decode()
    merged = client.post(f"/companies/{survivor.pk}/merge/", {"duplicate": duplicate.pk})

    assert f'href="?duplicate={duplicate.pk}"' in found
    assert f'href="?duplicate={survivor.pk}"' not in found
    assert "https://wayne.example" in preview
    assert "Deals: 1" in preview
    assert "Contacts: 1" in preview
    assert merged["Location"] == f"/companies/{survivor.pk}/"
    with alpha.active():
        assert not Company.objects.filter(pk=duplicate.pk).exists()
        assert Activity.objects.get(pk=activity.pk).company_id == survivor.pk
        assert Deal.objects.get(pk=deal.pk).company_id == survivor.pk
        assert Contact.objects.get(pk=contact.pk).company_id == survivor.pk
        assert TimelineEntry.objects.get(pk=entry.pk).company_id == survivor.pk
        history = TimelineEntry.objects.get(company=survivor, kind="merged")
        assert history.data["merged"] == "Wayne Enterprises Inc"
        assert Company.objects.get(pk=survivor.pk).website == "https://wayne.example"


def test_a_duplicate_contact_is_merged(alpha: TenantFixture):
    with alpha.active():
        survivor = ContactFactory(first_name="Clark", last_name="Kent", owner=alpha.user())
        duplicate = ContactFactory(first_name="C.", last_name="Kent", owner=alpha.user())

    response = alpha.client().post(f"/contacts/{survivor.pk}/merge/", {"duplicate": duplicate.pk})

    assert response.status_code == 302
    with alpha.active():
        assert list(Contact.objects.values_list("pk", flat=True)) == [survivor.pk]
        assert TimelineEntry.objects.filter(contact=survivor, kind="merged").count() == 1


def test_a_record_cannot_be_merged_into_itself(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/companies/{company.pk}/merge/", {"duplicate": company.pk})

    assert response.status_code == 404
    assert schema_snapshot(alpha.tenant) == before


def test_merging_needs_the_merge_permission(alpha: TenantFixture):
    with alpha.active():
        survivor, duplicate = CompanyFactory(owner=alpha.user()), CompanyFactory(owner=alpha.user())
        create_user(
            email="reader@example.test", password=PASSWORD, full_name="", role=Role.objects.get(key="read_only")
        )
    client = alpha.client(email="reader@example.test")
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/companies/{survivor.pk}/merge/", {"duplicate": duplicate.pk})

    assert response.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_another_tenant_cannot_merge(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        survivor, duplicate = ContactFactory(owner=alpha.user()), ContactFactory(owner=alpha.user())

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/contacts/{survivor.pk}/merge/", {"duplicate": duplicate.pk}),
            ("post", f"/contacts/{survivor.pk}/merge/", {"duplicate": duplicate.pk}),
        ],
    )
