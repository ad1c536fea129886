"""Bulk actions and saved views on the company and contact lists."""

from identity.models import Role
from identity.services.accounts import create_user
from modules.contacts.models import Company, Contact, SavedView, TimelineEntry
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def test_selected_contacts_are_assigned_a_new_owner_with_history(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        first, second, untouched = ContactFactory(owner=admin), ContactFactory(owner=admin), ContactFactory(owner=admin)

    response = alpha.client().post(
        "/contacts/bulk/",
        {"action": "assign_owner", "owner": rep.pk, "ids": [first.pk, second.pk], "next": "/contacts/"},
    )

    assert (response.status_code, response["Location"]) == (302, "/contacts/")
    with alpha.active():
        assert sorted(Contact.objects.filter(owner=rep).values_list("pk", flat=True)) == [first.pk, second.pk]
        assert Contact.objects.get(pk=untouched.pk).owner == admin
        assert TimelineEntry.objects.filter(kind="updated", contact__in=[first, second]).count() == 2


def test_a_tag_is_added_to_selected_companies_keeping_their_tags(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        company.tags.create(name="existing")

    response = alpha.client().post("/companies/bulk/", {"action": "add_tag", "tag": "Priority", "ids": [company.pk]})

    assert response.status_code == 302
    with alpha.active():
        assert sorted(tag.name for tag in Company.objects.get(pk=company.pk).tags.all()) == ["Priority", "existing"]


def test_selected_contacts_are_deleted(alpha: TenantFixture):
    with alpha.active():
        doomed, kept = ContactFactory(owner=alpha.user()), ContactFactory(owner=alpha.user())

    alpha.client().post("/contacts/bulk/", {"action": "delete", "ids": [doomed.pk]})

    with alpha.active():
        assert list(Contact.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_bulk_action_without_its_value_changes_nothing(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(owner=alpha.user())
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/contacts/bulk/", {"action": "add_tag", "tag": "", "ids": [contact.pk]}, follow=True)

    assert "Name the tag to add." in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_bulk_action_on_a_record_the_rep_cannot_see_is_refused_whole(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        mine, theirs = ContactFactory(owner=rep), ContactFactory(owner=admin)
    client = alpha.client(email=REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    response = client.post("/contacts/bulk/", {"action": "assign_owner", "owner": rep.pk, "ids": [mine.pk, theirs.pk]})

    assert response.status_code == 404
    assert schema_snapshot(alpha.tenant) == before


def test_a_read_only_user_cannot_run_bulk_actions(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(owner=alpha.user())
        create_user(
            email="reader@example.test", password=PASSWORD, full_name="", role=Role.objects.get(key="read_only")
        )
    client = alpha.client(email="reader@example.test")
    before = schema_snapshot(alpha.tenant)

    response = client.post("/contacts/bulk/", {"action": "delete", "ids": [contact.pk]})

    assert response.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_filters_are_saved_picked_and_deleted_as_a_view(alpha: TenantFixture):
    client = alpha.client()

    saved = client.post("/contacts/views/contact/save/", {"name": "My customers", "lifecycle_stage": "customer",
                                                          "sort": "-updated_at", "bogus": "x"})  # fmt: skip
    with alpha.active():
        view = SavedView.objects.get(name="My customers")
    picked = client.get(f"/contacts/?view={view.pk}")
    listed = client.get("/contacts/").content.decode()
    deleted = client.post(f"/contacts/views/{view.pk}/delete/")

    assert (view.entity, view.query, view.owner) == ("contact", {"lifecycle_stage": "customer", "sort": "-updated_at"},
                                                     alpha.user())  # fmt: skip
    assert saved.status_code == 302
    assert picked["Location"] == f"/contacts/?lifecycle_stage=customer&sort=-updated_at&saved_view={view.pk}"
    assert f'href="?view={view.pk}"' in listed
    assert deleted.status_code == 302
    with alpha.active():
        assert not SavedView.objects.exists()


def test_a_view_without_a_name_is_not_saved(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/contacts/views/company/save/", {"name": " "})

    assert response.status_code == 302
    assert schema_snapshot(alpha.tenant) == before


def test_someone_elses_view_cannot_be_deleted(alpha: TenantFixture):
    with alpha.active():
        view = SavedView.objects.create(owner=alpha.user(), entity="contact", name="Admin's", is_shared=True)

    response = alpha.client(email=REP_EMAIL).post(f"/contacts/views/{view.pk}/delete/")

    assert response.status_code == 404
    with alpha.active():
        assert SavedView.objects.filter(pk=view.pk).exists()


def test_another_tenant_cannot_pick_or_delete_a_view(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        view = SavedView.objects.create(owner=alpha.user(), entity="contact", name="Alpha view", query={"q": "x"})

    assert_cross_tenant_requests_fail(
        alpha, beta, [("get", f"/contacts/?view={view.pk}", {}), ("post", f"/contacts/views/{view.pk}/delete/", {})]
    )
