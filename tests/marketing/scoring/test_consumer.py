"""Scores follow the outbox: through the real dispatcher, only for the records an event concerns,
once per event however often it is delivered, within a rule's cap, and thresholds fire once per
upward crossing."""

from __future__ import annotations

from customization.events.dispatcher import dispatch_pending
from customization.events.models import DomainEvent
from customization.events.outbox import emit
from customization.workflows.models import WorkflowRun
from modules.contacts.services.contacts import update_contact
from modules.marketing.scoring.consumer import consume
from modules.marketing.scoring.models import Score, ScoreEvent, ScoreThreshold, ThresholdReached
from modules.marketing.scoring.services.compute import THRESHOLD_EVENT, recompute
from modules.marketing.scoring.workflows import TRIGGER_KEY
from tests.customization.workflows.engine.conftest import drive, make_rule
from tests.factories import ActivityFactory, ContactFactory, DealFactory, LeadFactory
from tests.marketing.scoring.conftest import admin, behaviour_rule, fit_rule
from tests.tenancy import TenantFixture


def test_an_open_scores_its_contact_once_even_when_delivered_again(alpha: TenantFixture) -> None:
    with alpha.active():
        behaviour_rule("marketing_email.opened", 5)
        contact, bystander = ContactFactory(), ContactFactory()
        emit("marketing_email.opened", contact, entity="contact", data={"id": 1})

        dispatch_pending()
        consume(list(DomainEvent.objects.filter(type="marketing_email.opened")))  # a redelivery

        assert Score.objects.get(contact=contact).total == 5
        assert ScoreEvent.objects.filter(contact=contact).count() == 1
        assert not Score.objects.filter(contact=bystander).exists()


def test_a_cap_limits_the_points_per_period(alpha: TenantFixture) -> None:
    with alpha.active():
        behaviour_rule("marketing_email.clicked", 10, cap_points=15, cap_days=30)
        contact = ContactFactory()
        for email_id in (1, 2, 3):
            emit("marketing_email.clicked", contact, entity="contact", data={"id": email_id})
            dispatch_pending()

        assert sorted(ScoreEvent.objects.filter(contact=contact).values_list("points", flat=True)) == [5, 10]
        assert Score.objects.get(contact=contact).behaviour == 15


def test_forms_activities_and_deals_score_the_records_they_concern(alpha: TenantFixture) -> None:
    with alpha.active():
        behaviour_rule("form.submitted", 20)
        behaviour_rule("activity.created", 3)
        behaviour_rule("deal.created", 7)
        lead, contact = LeadFactory(), ContactFactory()
        emit("form.submitted", lead, entity="lead", data={"form": "demo", "id": 4})
        emit("activity.created", ActivityFactory(contact=contact, lead=lead), entity="activity")
        emit("deal.created", DealFactory(contact=contact), entity="deal")

        dispatch_pending()

        assert Score.objects.get(lead=lead).total == 23
        assert Score.objects.get(contact=contact).total == 10


def test_a_change_to_the_contact_updates_its_fit(alpha: TenantFixture) -> None:
    with alpha.active():
        fit_rule("contact", "job_title", "contains", "director", 25)
        contact = ContactFactory(job_title="Assistant")
        update_contact(contact, by=admin(), job_title="Sales Director")

        dispatch_pending()

        score = Score.objects.get(contact=contact)
        assert (score.fit, score.total) == (25, 25)


def test_a_tenant_without_rules_writes_no_scores(alpha: TenantFixture) -> None:
    with alpha.active():
        contact = ContactFactory()
        emit("marketing_email.opened", contact, entity="contact", data={"id": 1})
        dispatch_pending()
        assert not Score.objects.exists()


def test_a_threshold_fires_once_per_upward_crossing(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = behaviour_rule("form.submitted", 30)
        mql = ScoreThreshold.objects.create(name="MQL", points=50)
        workflow = make_rule(
            entity="contact", trigger=TRIGGER_KEY, trigger_config={"id": mql.pk},
            actions=[{"type": "update_field", "field": "description", "value": "qualified"}],
        )  # fmt: skip
        contact = ContactFactory()

        def submit() -> None:
            emit("form.submitted", contact, entity="contact", data={"form": "f", "id": 1})
            drive()

        submit()  # 30: below
        assert not DomainEvent.objects.filter(type=THRESHOLD_EVENT).exists()
        submit()  # 60: crosses
        submit()  # 90: still above, no new crossing
        crossings = DomainEvent.objects.filter(type=THRESHOLD_EVENT)
        assert [(e.entity, e.record_id, e.data["id"]) for e in crossings] == [("contact", contact.pk, mql.pk)]
        assert WorkflowRun.objects.filter(rule=workflow).count() == 1
        contact.refresh_from_db()
        assert contact.description == "qualified"

        rule.active = False  # the rule is paused: its points stop counting and the score drops
        rule.save()
        recompute("contact", [contact.pk])
        assert not ThresholdReached.objects.filter(contact=contact).exists()
        rule.active = True
        rule.save()
        recompute("contact", [contact.pk])
        drive()

        assert DomainEvent.objects.filter(type=THRESHOLD_EVENT).count() == 2
        assert WorkflowRun.objects.filter(rule=workflow).count() == 2


def test_a_change_to_the_company_rescores_its_contacts_only(alpha: TenantFixture) -> None:
    from modules.contacts.services.companies import update_company
    from tests.factories import CompanyFactory

    with alpha.active():
        fit_rule("contact", "company.industry", "eq", "software", 15)
        company, other = CompanyFactory(industry="Retail"), CompanyFactory(industry="Retail")
        staff, outsider = ContactFactory(company=company), ContactFactory(company=other)
        update_company(company, by=admin(), industry="Software")

        dispatch_pending()

        assert Score.objects.get(contact=staff).fit == 15
        assert not Score.objects.filter(contact=outsider).exists()
