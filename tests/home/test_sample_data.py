"""Sample data: loaded in one action, removed in one, and nothing of the users' goes with it."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from identity.models import AuditEntry, User
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity
from modules.contacts.models import Company, Contact, SampleRecord, Tag, TimelineEntry
from modules.contacts.services.contacts import update_contact
from modules.sales.models import Deal, Lead, Pipeline, Product, Quote, Stage
from tests.factories import CompanyFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

QUERY_BUDGET = 150  # 85 today for about 400 records
RECORDS = (Company, Contact, Lead, Deal, Activity, Product, Tag, TimelineEntry)


def counts(alpha: TenantFixture) -> dict[str, int]:
    with alpha.active():
        return {model.__name__: model.objects.count() for model in RECORDS}


def _highest_pk(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def load(alpha: TenantFixture, email: str | None = None):
    return alpha.client(email or "admin@example.test").post("/sample-data/load/")


def test_loading_fills_a_new_workspace_in_bulk_with_marked_records_owned_by_the_admin(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        stages_before = list(Stage.objects.values_list("pk", "name", "probability", "rotting_days"))
        users_before = User.objects.count()
        highest = {model: _highest_pk(model) for model in RECORDS}

    with CaptureQueriesContext(connection) as queries:
        response = load(alpha)

    assert response.status_code == 302
    # Loaded in bulk: its cost is a fixed number of statements, not one per record (about 400 records).
    assert len(queries) < QUERY_BUDGET, len(queries)
    with alpha.active():
        assert 5 <= Company.objects.count() <= 10
        assert Contact.objects.count() >= 20
        assert Deal.objects.count() >= 10
        assert Activity.objects.count() >= 40
        assert Product.objects.exists()
        assert not Deal.objects.exclude(owner=admin).exists()
        assert not Activity.objects.exclude(assignee=admin).exists()
        marked = {(m, i) for m, i in SampleRecord.objects.values_list("model", "object_id")}
        for model in RECORDS:  # what the load wrote (not what a file that committed before left)
            loaded = model.objects.filter(pk__gt=highest[model]).values_list("pk", flat=True)
            assert {(model._meta.label, pk) for pk in loaded} <= marked
        # Nothing reshapes the workspace: no users, pipelines, quotes or stage edits.
        assert User.objects.count() == users_before
        assert Pipeline.objects.count() == 1
        assert not Quote.objects.exists()
        assert list(Stage.objects.values_list("pk", "name", "probability", "rotting_days")) == stages_before
        assert AuditEntry.objects.filter(action="sample_data.loaded").count() == 1
    home = alpha.client().get("/")
    assert 'data-testid="sample-data-loaded"' in home.content.decode()
    agenda = next(shown.data for shown in home.context["cards"] if shown.card.key == "agenda")
    assert agenda["overdue"] >= 2  # the sample's day has work in it


def test_loading_twice_is_refused(alpha: TenantFixture):
    load(alpha)
    before = counts(alpha)

    again = alpha.client().post("/sample-data/load/", follow=True)

    assert "Sample data is already loaded" in again.content.decode()
    assert counts(alpha) == before


def test_removing_deletes_the_sample_and_keeps_what_users_made_or_changed(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        first_entry = _highest_pk(TimelineEntry) + 1
        own_company = CompanyFactory(name="Our real customer", owner=admin)
    load(alpha)
    with alpha.active():
        sample_company = Company.objects.exclude(pk=own_company.pk).order_by("pk").first()
        edited = Contact.objects.exclude(company=sample_company).order_by("pk").first()
        update_contact(edited, by=admin, job_title="Buyer (met at the fair)")
        own_deal = DealFactory(name="Real deal on a sample company", owner=admin, company=sample_company)
        linked = create_activity(
            by=admin, kind="call", subject="Real call", due_at=timezone.now(), company=sample_company
        )
        sample_total = SampleRecord.objects.count()

    response = alpha.client().post("/sample-data/remove/", follow=True)

    assert response.status_code == 200
    assert "Sample data is removed." in response.content.decode()
    with alpha.active():
        assert not SampleRecord.objects.exists()
        assert Company.objects.filter(pk=own_company.pk).exists()
        assert Deal.objects.filter(pk=own_deal.pk, company=sample_company).exists()
        assert Activity.objects.filter(pk=linked.pk).exists()
        assert Company.objects.filter(pk=sample_company.pk).exists()  # the user's deal points at it
        assert Contact.objects.filter(pk=edited.pk, job_title="Buyer (met at the fair)").exists()
        # Everything else of the sample is gone.
        assert set(Company.objects.values_list("pk", flat=True)) == {
            own_company.pk,
            sample_company.pk,
            *([edited.company_id] if edited.company_id else []),
        }
        assert set(Deal.objects.values_list("pk", flat=True)) == {own_deal.pk}
        assert set(Activity.objects.values_list("pk", flat=True)) == {linked.pk}
        assert not Product.objects.exists()
        assert not Lead.objects.exists()
        removed = AuditEntry.objects.get(action="sample_data.removed")
        assert sum(removed.details["removed"].values()) + sum(removed.details["kept"].values()) == sample_total
        # The timeline of what stays keeps its history; none of the removed records' is left.
        assert TimelineEntry.objects.filter(company=sample_company).exists()
        assert not TimelineEntry.objects.filter(
            pk__gte=first_entry,  # this test's (a file that committed before may have left some)
            company__isnull=True,
            contact__isnull=True,
            deal__isnull=True,
            lead__isnull=True,
            activity__isnull=True,
        ).exists()


def test_after_removal_sample_data_can_be_loaded_again(alpha: TenantFixture):
    load(alpha)
    alpha.client().post("/sample-data/remove/")

    assert counts(alpha)["Company"] == 0
    load(alpha)
    assert counts(alpha)["Company"] > 0


def test_removing_without_sample_data_changes_nothing(alpha: TenantFixture):
    with alpha.active():
        CompanyFactory()
    before = counts(alpha)

    response = alpha.client().post("/sample-data/remove/", follow=True)

    assert "There is no sample data to remove." in response.content.decode()
    assert counts(alpha) == before


def test_a_rep_may_neither_load_nor_remove(alpha: TenantFixture):
    refused_load = load(alpha, REP_EMAIL)
    load(alpha)
    before = counts(alpha)
    refused_remove = alpha.client(REP_EMAIL).post("/sample-data/remove/")

    assert refused_load.status_code == refused_remove.status_code == 403
    assert counts(alpha) == before


def test_the_card_is_offered_only_to_an_empty_workspace(alpha: TenantFixture):
    def offered() -> bool:
        response = alpha.client().get("/")
        return any(shown.card.key == "sample-data" for shown in response.context["cards"])

    assert offered()
    assert not any(shown.card.key == "sample-data" for shown in alpha.client(REP_EMAIL).get("/").context["cards"])
    with alpha.active():
        CompanyFactory()
    assert not offered()


def test_loading_and_removing_stay_in_their_tenant(alpha: TenantFixture, beta: TenantFixture):
    beta_before = schema_snapshot(beta.tenant)

    load(alpha)
    alpha.client().post("/sample-data/remove/")
    load(alpha)

    assert schema_snapshot(beta.tenant) == beta_before
    with beta.active():
        assert not SampleRecord.objects.exists()
    # Beta's admin removing "their" sample data touches none of alpha's.
    alpha_before = schema_snapshot(alpha.tenant)
    beta.client().post("/sample-data/remove/")
    assert schema_snapshot(alpha.tenant) == alpha_before


def test_get_is_not_allowed(alpha: TenantFixture):
    assert alpha.client().get("/sample-data/load/").status_code == 405
    assert alpha.client().get("/sample-data/remove/").status_code == 405
