"""Scores computed in SQL from the rules, checked against figures worked out by hand."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.fields.models import CustomFieldDefinition
from modules.marketing.scoring.choices import Decay, ScoredEntity
from modules.marketing.scoring.models import Score
from modules.marketing.scoring.services.compute import recompute
from modules.marketing.scoring.services.recalculation import prune_spent_points
from tests.factories import CompanyFactory, ContactFactory, LeadFactory
from tests.marketing.scoring.conftest import behaviour_rule, fit_rule, ledger_row
from tests.tenancy import TenantFixture


def test_fit_rules_on_own_company_and_custom_fields_add_up(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(entity="contact", key="budget", label="Budget", field_type="number")
        CustomFieldDefinition.objects.create(entity="company", key="tier", label="Tier", field_type="text")
        fit_rule("contact", "job_title", "contains", "ceo", 20)
        fit_rule("contact", "company.industry", "eq", "software", 15)
        fit_rule("contact", "custom.budget", "gte", "1000", 10)
        fit_rule("contact", "company.custom.tier", "eq", "gold", 7)
        fit_rule("contact", "country", "eq", "FR", 8)  # does not match: 60 possible
        company = CompanyFactory(industry="Software", custom={"tier": "gold"})
        best = ContactFactory(job_title="Founder & CEO", company=company, custom={"budget": 5000}, country="RO")
        middling = ContactFactory(job_title="Engineer", company=company, custom={"budget": 10})
        nothing = ContactFactory(job_title="Intern", company=None)

        written = recompute(ScoredEntity.CONTACT, [best.pk, middling.pk, nothing.pk])

        assert sorted(written) == sorted([best.pk, middling.pk, nothing.pk])
        scores = {s.contact_id: s for s in Score.objects.filter(contact__in=[best, middling, nothing])}
        # best: 20 + 15 + 10 + 7 = 52 of 60 (>= 75 %: A); middling: 15 + 7 = 22 (>= 25 %: C); nothing: D.
        assert (scores[best.pk].fit, scores[best.pk].total, scores[best.pk].grade) == (52, 52, "A")
        assert (scores[middling.pk].fit, scores[middling.pk].grade) == (22, "C")
        assert (scores[nothing.pk].fit, scores[nothing.pk].grade) == (0, "D")


def test_lead_fit_on_a_number_and_a_paused_rule_gives_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        fit_rule("lead", "estimated_value", "gt", "10000", 30)
        paused = fit_rule("lead", "source", "set", "", 5)
        paused.active = False
        paused.save()
        lead = LeadFactory(estimated_value=25000, source="web")

        recompute(ScoredEntity.LEAD, [lead.pk])

        score = Score.objects.get(lead=lead)
        assert (score.fit, score.behaviour, score.total, score.grade) == (30, 0, 30, "A")


def test_behaviour_points_decay_from_the_ledger(alpha: TenantFixture) -> None:
    with alpha.active():
        halving = behaviour_rule("marketing_email.clicked", 10, decay=Decay.PERCENT, decay_percent=50, decay_days=7)
        expiring = behaviour_rule("form.submitted", 8, decay=Decay.EXPIRE, decay_days=30)
        kept = behaviour_rule("survey.answered", 4)
        contact = ContactFactory()
        ledger_row(halving, days_ago=3, contact=contact)  # no full period: 10
        ledger_row(halving, days_ago=15, contact=contact)  # two periods: 10 * 0.25 = 2.5, rounded 3
        ledger_row(expiring, days_ago=10, contact=contact)  # 8
        ledger_row(expiring, days_ago=40, contact=contact)  # expired: 0
        ledger_row(kept, days_ago=400, contact=contact)  # 4

        recompute(ScoredEntity.CONTACT, [contact.pk])

        score = Score.objects.get(contact=contact)
        assert (score.fit, score.behaviour, score.total, score.grade) == (0, 25, 25, "")


def test_pruning_removes_spent_rows_and_keeps_the_score(alpha: TenantFixture) -> None:
    with alpha.active():
        expiring = behaviour_rule("form.submitted", 8, decay=Decay.EXPIRE, decay_days=30)
        contact = ContactFactory()
        ledger_row(expiring, days_ago=10, contact=contact)
        ledger_row(expiring, days_ago=31, contact=contact)

        assert prune_spent_points() == 1

        assert Score.objects.get(contact=contact).behaviour == 8
        assert expiring.ledger.count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"field": "nonsense", "operator": "eq", "value": "x"}, "field"),
        ({"field": "estimated_value", "operator": "gt", "value": "a lot"}, "value"),
        ({"field": "company.industry", "operator": "eq", "value": "x"}, "field"),  # leads have no company link
        ({"field": "job_title", "operator": "gt", "value": "x"}, "operator"),
        ({"field": "job_title", "operator": "eq", "value": "bad\x00"}, "value"),
        ({"field": "job_title", "operator": "eq", "value": "x" * 201}, "value"),
    ],
)
def test_a_fit_rule_that_cannot_run_is_refused_naming_the_field(
    alpha: TenantFixture, values: dict[str, str], field: str
) -> None:
    with alpha.active(), pytest.raises(ValidationError) as refused:
        fit_rule("lead", values["field"], values["operator"], values["value"], 5)
    assert field in refused.value.message_dict
