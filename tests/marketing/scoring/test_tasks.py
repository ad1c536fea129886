"""The background work: the daily decay recomputes only records holding decaying points and
drops spent ones; "Recalculate all" computes every score again in chained batches."""

from __future__ import annotations

from modules.marketing.scoring.choices import Decay
from modules.marketing.scoring.models import Score
from modules.marketing.scoring.services import recalculation
from modules.marketing.scoring.services.compute import recompute
from modules.marketing.scoring.services.rules import start_recalculation
from modules.marketing.scoring.tasks import apply_score_decay
from tests.factories import ContactFactory, LeadFactory
from tests.marketing.scoring.conftest import admin, behaviour_rule, fit_rule, ledger_row
from tests.tenancy import TenantFixture


def test_the_decay_run_recomputes_decaying_scores_only(
    alpha: TenantFixture, eager_tasks: None, django_capture_on_commit_callbacks
) -> None:
    with alpha.active():
        halving = behaviour_rule("marketing_email.opened", 8, decay=Decay.PERCENT, decay_percent=50, decay_days=10)
        expiring = behaviour_rule("form.submitted", 6, decay=Decay.EXPIRE, decay_days=30)
        kept = behaviour_rule("survey.answered", 5)
        fading, steady = ContactFactory(), ContactFactory()
        ledger_row(halving, days_ago=25, contact=fading)  # two periods: 8 * 0.25 = 2
        ledger_row(expiring, days_ago=45, contact=fading)  # expired: pruned
        ledger_row(kept, days_ago=90, contact=steady)
        recompute("contact", [steady.pk])
        Score.objects.create(contact=fading, fit=0, behaviour=14, total=14, updated_at=steady.created_at)
        steady_written = Score.objects.get(contact=steady).updated_at

        with django_capture_on_commit_callbacks(execute=True):
            apply_score_decay()

        assert Score.objects.get(contact=fading).total == 2
        assert expiring.ledger.count() == 0
        assert Score.objects.get(contact=steady).updated_at == steady_written


def test_recalculate_all_scores_every_record_in_batches(
    alpha: TenantFixture, eager_tasks: None, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr(recalculation, "BATCH", 2)
    with alpha.active():
        contacts = [ContactFactory(job_title="VP Sales") for _index in range(5)]
        lead = LeadFactory(job_title="VP Sales")
        fit_rule("contact", "job_title", "contains", "vp", 12)
        fit_rule("lead", "job_title", "contains", "vp", 9)

        with django_capture_on_commit_callbacks(execute=True):
            start_recalculation(by=admin())

        assert sorted(Score.objects.filter(contact__in=contacts).values_list("total", flat=True)) == [12] * 5
        assert Score.objects.get(lead=lead).total == 9
