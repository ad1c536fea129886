"""The demo tenant's sample data and the bulk record generator behind the benchmarks."""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from django_tenants.utils import tenant_context

from customization.fields.validation import clean_custom_values
from customization.workflows.definition import clean_definition
from customization.workflows.models import WorkflowRule
from identity.models import AuditEntry, Team, User
from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.contacts.choices import LifecycleStage, TimelineKind
from modules.contacts.demo.builder import DemoSize, DemoSummary
from modules.contacts.demo.bulk import RecordCounts, generate_records
from modules.contacts.demo.seed import load_demo_data
from modules.contacts.models import Company, Contact, ExchangeRate, TimelineEntry, join_name
from modules.sales.choices import DealStatus, LeadStatus
from modules.sales.models import Deal, DealStageChange, Lead, Order, Pipeline, Quota, Quote, Stage
from modules.service.demo import AGENTS as SERVICE_AGENTS
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema
from tests.shared_data import rolled_back
from tests.tenancy import TenantFixture

SIZE = DemoSize()


@dataclass(frozen=True)
class LoadedDemo:
    summary: DemoSummary | None
    users_before: int


def _deals() -> list[tuple[object, ...]]:
    return list(Deal.objects.order_by("id").values_list("name", "amount", "currency", "stage__name", "status"))


class TestTheDemoDataLoadedOnce:
    """What loading the demo data into an empty tenant gives. A load takes seconds to tens of seconds,
    so alpha is loaded once for these tests, in a transaction of the class rolled back after its last
    test; each test reads it in its own test transaction inside that one (``tests/shared_data.py``)."""

    @pytest.fixture(scope="class")
    def loaded(self, django_db_setup: None, django_db_blocker: Any) -> Iterator[LoadedDemo]:
        with rolled_back(django_db_blocker):
            with django_db_blocker.unblock(), tenant_context(Tenant.objects.get(slug="alpha")):
                users_before = User.objects.count()
                summary = load_demo_data(password="demo-password-123")
            yield LoadedDemo(summary=summary, users_before=users_before)

    def test_the_demo_data_fills_an_empty_tenant_with_the_promised_records(
        self, loaded: LoadedDemo, alpha: TenantFixture
    ) -> None:
        with alpha.active():
            users_before, summary = loaded.users_before, loaded.summary

            assert summary is not None
            assert Company.objects.count() == SIZE.companies == 300
            assert Contact.objects.count() == SIZE.contacts == 3000
            assert Lead.objects.count() == SIZE.leads == 200
            assert Deal.objects.count() == SIZE.deals == 400
            assert Activity.objects.count() == SIZE.activities == 5000
            assert User.objects.count() == users_before + 7 + len(SERVICE_AGENTS)
            assert set(Team.objects.values_list("name", flat=True)) >= {"Field sales", "Inside sales"}
            assert summary.counts["companies"] == 300
            assert not Company.objects.annotate(n=Count("contacts")).filter(n=0).exists()
            month_ago = timezone.now() - timezone.timedelta(days=29)
            assert not Company.objects.filter(Q(created_at__gt=month_ago) | ~Q(updated_at=F("created_at"))).exists()
            assert {"RO", "PL", "FR", "RS"} <= set(Company.objects.values_list("country", flat=True))
            assert set(Lead.objects.values_list("status", flat=True)) == set(LeadStatus.values)
            assert set(Deal.objects.values_list("currency", flat=True)) == {"EUR", "RON", "PLN"}
            assert {"RON", "PLN"} <= set(ExchangeRate.objects.values_list("currency", flat=True))
            assert Pipeline.objects.count() == 2
            assert not Stage.objects.annotate(n=Count("deals")).filter(n=0).exists(), "every stage of both pipelines"
            assert Quote.objects.filter(lines__isnull=False).distinct().count() >= 2
            reps = User.objects.filter(role__key__in=["sales_rep", "manager"], email__endswith="@alpha.example")
            assert Quota.objects.filter(user__in=reps).values("user").distinct().count() == reps.count() == 5
            elena = User.objects.get(email="elena.popa@alpha.example")
            assert elena.check_password("demo-password-123")
            # Customization: fields with values every record's validator accepts, and two valid rules.
            assert summary.counts["custom_fields"] == 5
            assert set(Company.objects.values_list("custom__account_tier", flat=True)) == {"gold", "silver", "bronze"}
            for model, entity in ((Company, "company"), (Contact, "contact"), (Deal, "deal")):
                for record in model.objects.order_by("id")[:20]:
                    assert clean_custom_values(entity, record.custom, current={}) == record.custom
            rules = {rule.trigger: rule for rule in WorkflowRule.objects.all()}
            assert set(rules) == {"stage_entered", "field_changed"}
            assert rules["stage_entered"].is_active
            assert not rules["field_changed"].is_active
            for rule in rules.values():
                clean_definition(
                    entity=rule.entity, trigger=rule.trigger, trigger_config=rule.trigger_config,
                    conditions=rule.conditions, actions=rule.actions,
                )  # fmt: skip
                assert rule.versions.count() == 1

    def test_the_demo_records_keep_the_invariants_the_services_keep(
        self, loaded: LoadedDemo, alpha: TenantFixture
    ) -> None:
        with alpha.active():
            assert not Contact.objects.exclude(full_name="").filter(full_name="").exists()
            assert all(c.full_name == join_name(c.first_name, c.last_name) for c in Contact.objects.all())
            assert all(lead.full_name == join_name(lead.first_name, lead.last_name) for lead in Lead.objects.all())
            assert not Deal.objects.exclude(status=F("stage__kind")).exists()
            assert set(Deal.objects.values_list("status", flat=True)) == set(DealStatus.values)
            assert not Deal.objects.exclude(pipeline=F("stage__pipeline")).exists()
            assert not Deal.objects.filter(status__in=["won", "lost"], closed_at__isnull=True).exists()
            assert not Deal.objects.filter(status="open", closed_at__isnull=False).exists()
            assert not Deal.objects.filter(status="lost", lost_reason__isnull=True).exists()
            assert not Deal.objects.exclude(status="lost").filter(lost_reason__isnull=False).exists()
            for deal in Deal.objects.prefetch_related("stage_changes"):
                history = sorted(deal.stage_changes.all(), key=lambda change: change.changed_at)
                assert history[0].from_stage_id is None
                assert history[-1].to_stage_id == deal.stage_id
                assert history[-1].changed_at == deal.stage_entered_at
            won = Deal.objects.filter(status="won")
            assert TimelineEntry.objects.filter(kind=TimelineKind.DEAL_WON, deal__in=won).count() == won.count()
            lost = Deal.objects.filter(status="lost")
            assert TimelineEntry.objects.filter(kind=TimelineKind.DEAL_LOST, deal__in=lost).count() == lost.count()
            changes = DealStageChange.objects.filter(from_stage__isnull=False).count()
            moves = TimelineEntry.objects.filter(
                kind__in=[TimelineKind.STAGE_CHANGED, TimelineKind.DEAL_WON, TimelineKind.DEAL_LOST]
            )
            assert moves.count() == changes
            for model, link in ((Company, "company"), (Contact, "contact"), (Lead, "lead"), (Deal, "deal")):
                created = TimelineEntry.objects.filter(kind=TimelineKind.CREATED, **{f"{link}__isnull": False})
                assert created.values(link).distinct().count() == model.objects.count()
            assert not Activity.objects.filter(timeline_entries__isnull=True).exists()
            assert not Activity.objects.filter(status=ActivityStatus.DONE, completed_at__isnull=True).exists()
            assert Activity.objects.filter(origin__isnull=False).count() >= 50, "follow-up chains"
            assert Activity.objects.filter(status=ActivityStatus.DONE, completed_at__lt=timezone.now()).count() > 2500
            assert Activity.objects.filter(status=ActivityStatus.OPEN, due_at__gt=timezone.now()).count() > 200
            converted = Lead.objects.filter(status=LeadStatus.CONVERTED)
            assert not converted.filter(Q(converted_deal__isnull=True) | Q(converted_contact__isnull=True)).exists()
            assert all(lead.converted_deal.lead_id == lead.pk for lead in converted.select_related("converted_deal"))
            for quote in Quote.objects.prefetch_related("lines"):
                assert quote.total == quote.subtotal - quote.discount_total + quote.tax_total > Decimal("0")

    def test_every_demo_record_is_created_before_anything_happens_to_it(
        self, loaded: LoadedDemo, alpha: TenantFixture
    ) -> None:
        with alpha.active():
            early = {}
            for model in (Company, Contact, Lead, Deal, Order):
                records = model.objects.annotate(first=Min("timeline__occurred_at")).filter(first__lt=F("created_at"))
                early[model.__name__] = records.count()
            early["orders before their company"] = Order.objects.filter(created_at__lt=F("company__created_at")).count()
            early["orders before their contact"] = Order.objects.filter(created_at__lt=F("contact__created_at")).count()
            early["deals before their contact"] = Deal.objects.filter(created_at__lt=F("contact__created_at")).count()
            early["activities before their company"] = Activity.objects.filter(
                created_at__lt=F("company__created_at")
            ).count()
            early["activities before their contact"] = Activity.objects.filter(
                created_at__lt=F("contact__created_at")
            ).count()
            early["activities before their deal"] = Activity.objects.filter(
                created_at__lt=F("deal__created_at")
            ).count()
            orders_over = Order.objects.aggregate(first=Min("ordered_on"))["first"]

        assert early == dict.fromkeys(early, 0)
        assert (timezone.localdate() - orders_over).days > 365, "orders still go back beyond a year"

    def test_the_demo_admin_has_a_day_of_their_own(self, loaded: LoadedDemo, alpha: TenantFixture) -> None:
        admin = alpha.user()
        with alpha.active():
            yesterday = timezone.now() - timezone.timedelta(days=1)
            tomorrow = timezone.now() + timezone.timedelta(days=1)

            mine = Activity.objects.filter(assignee=admin, status=ActivityStatus.OPEN)
            overdue = mine.filter(due_at__lt=timezone.now()).count()
            ahead = mine.filter(due_at__gte=timezone.now(), due_at__lt=tomorrow).count()
            open_deals = Deal.objects.filter(owner=admin, status=DealStatus.OPEN).count()
            companies = Company.objects.filter(owner=admin).count()
            worked = Activity.objects.filter(assignee=admin, completed_at__gte=yesterday - timezone.timedelta(days=30))
            worked_lately = worked.exists()

        assert overdue >= 1
        assert ahead >= 3
        assert open_deals >= 5
        assert 10 <= companies <= 60  # a share of the 300, smaller than a rep's
        assert worked_lately

    def test_loading_the_demo_data_again_writes_nothing(self, loaded: LoadedDemo, alpha: TenantFixture) -> None:
        with alpha.active():
            counts = (Company.objects.count(), Contact.objects.count(), Activity.objects.count(), User.objects.count())
            entries = TimelineEntry.objects.count()

            assert load_demo_data() is None

            assert (
                Company.objects.count(),
                Contact.objects.count(),
                Activity.objects.count(),
                User.objects.count(),
            ) == counts
            assert TimelineEntry.objects.count() == entries

    def test_the_demo_data_is_the_same_every_time_in_every_tenant(
        self, loaded: LoadedDemo, alpha: TenantFixture, beta: TenantFixture
    ) -> None:
        with alpha.active():
            first = _deals()
        with beta.active():
            load_demo_data()

            second = _deals()

        assert len(first) == SIZE.deals
        assert first == second


def _counts() -> list[int]:
    models = (User, Team, Company, Contact, Lead, Deal, DealStageChange, Activity, TimelineEntry, Quote, Quota)
    return [model.objects.count() for model in models]


def test_generate_records_writes_exactly_the_numbers_asked_for(alpha: TenantFixture) -> None:
    with alpha.active():
        # Entries other tests committed in alpha (workers' own) are not this test's to count.
        earlier_entries = TimelineEntry.objects.count()
        report = generate_records(
            RecordCounts(companies=7, contacts=120, leads=9, deals=11, activities=13, timeline_record_events=40)
        )

        assert Company.objects.count() == 7 + 1  # and the timeline record
        assert Contact.objects.count() == 120
        assert Lead.objects.count() == 9
        assert Deal.objects.count() == 11
        assert DealStageChange.objects.count() == 11
        assert Activity.objects.count() == 13
        assert report.timeline_company_id is not None
        assert TimelineEntry.objects.filter(company_id=report.timeline_company_id).count() == 40
        assert TimelineEntry.objects.count() == earlier_entries + 40
        assert all(c.full_name == join_name(c.first_name, c.last_name) for c in Contact.objects.all())
        assert set(Contact.objects.values_list("source", flat=True)) == {"import"}
        assert set(Contact.objects.values_list("lifecycle_stage", flat=True)) <= set(LifecycleStage.values)
        assert all(emails == [] for emails in Contact.objects.values_list("additional_emails", flat=True))
        assert not Deal.objects.exclude(status=F("stage__kind")).exists()
        assert not Deal.objects.filter(status__in=["won", "lost"], closed_at__isnull=True).exists()
        assert not Deal.objects.filter(status="lost", lost_reason__isnull=True).exists()
        assert set(Contact.objects.values_list("company_id", flat=True)) <= set(
            Company.objects.values_list("id", flat=True)
        )


def test_the_generate_records_command_refuses_an_unknown_tenant_and_writes_nothing(alpha: TenantFixture) -> None:
    with pytest.raises(CommandError, match="No active tenant"):
        call_command("generate_records", "--tenant", "nowhere", "--contacts", "5")

    with alpha.active():
        assert Contact.objects.count() == 0


def test_the_generate_records_command_writes_into_the_named_tenant_only(
    alpha: TenantFixture, beta: TenantFixture
) -> None:
    call_command("generate_records", "--tenant", "alpha", "--contacts", "25", "--companies", "3")

    with alpha.active():
        assert (Contact.objects.count(), Company.objects.count()) == (25, 3)
    with beta.active():
        assert (Contact.objects.count(), Company.objects.count()) == (0, 0)


BOOTSTRAP_SLUG = "scratch-demo"


@pytest.fixture
def committed_demo_tenant(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Real commits, as `make run` makes them, into a demo tenant of its own (the browser tests share
    the ``demo`` one); it is dropped afterwards, schema and all (its subscription and invoices with
    it), with every audit entry its bootstrap wrote (the invoices' are the billing system's): the
    console's and billing's tests count the platform's entries. The demo operator it made stays: a
    user of the public schema cannot be deleted there (its deletion collects the tenant tables that
    refer to users, which the public schema lacks), and the console's tests look only at the staff
    they make."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        assert not Tenant.objects.filter(slug=BOOTSTRAP_SLUG).exists()
        last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        yield
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug=BOOTSTRAP_SLUG):
            delete_tenant_schema(tenant)
        AuditEntry.objects.filter(pk__gt=last_entry).delete()  # this process's database: only the bootstrap wrote


def test_bootstrap_demo_loads_the_demo_data_on_the_first_run_only(committed_demo_tenant: None) -> None:
    first_run, second_run = io.StringIO(), io.StringIO()

    call_command("bootstrap_demo", "--slug", BOOTSTRAP_SLUG, stdout=io.StringIO(), stderr=first_run)
    tenant = Tenant.objects.get(slug=BOOTSTRAP_SLUG)
    with tenant_context(tenant):
        after_first = _counts()
    call_command("bootstrap_demo", "--slug", BOOTSTRAP_SLUG, stdout=io.StringIO(), stderr=second_run)

    with tenant_context(tenant):
        assert _counts() == after_first
        assert Company.objects.count() == 300
        assert User.objects.filter(email=f"elena.popa@{BOOTSTRAP_SLUG}.example").exists()
    assert "Demo data loaded" in first_run.getvalue()
    assert second_run.getvalue() == ""
