"""The scoring pages: rules and thresholds for marketing.admin, the score card for whoever may see
the record, and the score on the contact and lead lists (column, sort, filters) at a constant
number of queries."""

from __future__ import annotations

import re

import pytest

from modules.marketing.scoring.models import Score, ScoreThreshold, ScoringRule
from modules.marketing.scoring.services.compute import recompute
from tests.entitlements.helpers import without_modules
from tests.factories import ContactFactory, LeadFactory
from tests.marketing.scoring.conftest import behaviour_rule, fit_rule, ledger_row
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke

RULE = {"name": "Directors", "kind": "fit", "points": "25", "field": "contact:job_title", "operator": "contains",
        "value": "director", "decay": "none", "active": "on"}  # fmt: skip


def test_an_admin_creates_a_fit_rule_and_a_threshold(alpha: TenantFixture) -> None:
    client = alpha.client()
    assert client.get("/marketing/scoring/").status_code == 200

    response = client.post("/marketing/scoring/", RULE)
    client.post("/marketing/scoring/thresholds/", {"name": "MQL", "points": "50"})

    assert response.status_code == 302
    with alpha.active():
        rule = ScoringRule.objects.get()
        assert (rule.entity, rule.field, rule.operator, rule.value, rule.points) == (
            "contact", "job_title", "contains", "director", 25,
        )  # fmt: skip
        assert ScoreThreshold.objects.get().points == 50


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "x\x00"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"points": "99999999999"}, "points"),
        ({"field": "contact:nonsense"}, "field"),
        ({"field": "lead:estimated_value", "operator": "gt", "value": "lots"}, "value"),
        ({"kind": "behaviour", "event_type": "", "field": ""}, "event_type"),
        ({"kind": "behaviour", "event_type": "form.submitted", "decay": "percent", "decay_days": "7"}, "decay_percent"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(alpha: TenantFixture, change: dict[str, str], field: str) -> None:
    response = alpha.client().post("/marketing/scoring/", {**RULE, **change})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    with alpha.active():
        assert not ScoringRule.objects.exists()


def test_only_marketing_admins_manage_rules(alpha: TenantFixture) -> None:
    revoke(alpha, "admin", "marketing.admin")
    client = alpha.client()
    assert client.get("/marketing/scoring/").status_code == 403
    assert client.post("/marketing/scoring/", RULE).status_code == 403
    assert client.post("/marketing/scoring/recalculate/").status_code == 403
    with alpha.active():
        assert not ScoringRule.objects.exists()


def test_another_tenant_reaches_none_of_the_rules_or_cards(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        rule = behaviour_rule("form.submitted", 5)
        threshold = ScoreThreshold.objects.create(name="MQL", points=50)
        contact = ContactFactory()
        lead = LeadFactory()
    with beta.active():
        # beta's own ids must not be the same rows: make sure these ids do not exist there
        ScoringRule.objects.filter(pk=rule.pk).delete()
        ScoreThreshold.objects.filter(pk=threshold.pk).delete()
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/marketing/scoring/rules/{rule.pk}/", {}),
            ("post", f"/marketing/scoring/rules/{rule.pk}/", {**RULE}),
            ("post", f"/marketing/scoring/rules/{rule.pk}/delete/", {}),
            ("post", f"/marketing/scoring/thresholds/{threshold.pk}/delete/", {}),
            ("get", f"/marketing/scoring/card/contact/{contact.pk + 100000}/", {}),
            ("get", f"/marketing/scoring/card/lead/{lead.pk + 100000}/", {}),
        ],
    )


def test_the_card_shows_the_breakdown_to_whoever_sees_the_record(alpha: TenantFixture) -> None:
    with alpha.active():
        fit_rule("contact", "job_title", "contains", "director", 25)
        clicks = behaviour_rule("marketing_email.clicked", 4)
        contact = ContactFactory(job_title="Director", owner=alpha.user())
        ledger_row(clicks, days_ago=1, contact=contact)
        recompute("contact", [contact.pk])

    response = alpha.client().get(f"/marketing/scoring/card/contact/{contact.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="score-total">29<' in html
    assert "job_title contains director" in html
    assert "+25" in html
    assert "+4" in html
    assert (
        f"/marketing/scoring/card/contact/{contact.pk}/"
        in alpha.client().get(f"/contacts/{contact.pk}/").content.decode()
    )
    assert alpha.client().get("/marketing/scoring/card/other/1/").status_code == 404


def test_the_card_is_not_in_the_plan_without_marketing(alpha: TenantFixture) -> None:
    with alpha.active():
        contact = ContactFactory()
    without_modules(alpha, "marketing")
    client = alpha.client()
    assert client.get(f"/marketing/scoring/card/contact/{contact.pk}/").status_code == 403
    assert "/marketing/scoring/card/" not in client.get(f"/contacts/{contact.pk}/").content.decode()


def _scored_contacts(alpha: TenantFixture, count: int) -> list[int]:
    with alpha.active():
        rule = behaviour_rule("form.submitted", 1)
        ids = []
        for index in range(count):
            contact = ContactFactory(owner=alpha.user())
            ledger_row(rule, days_ago=1, points=index + 1, contact=contact)
            ids.append(contact.pk)
        recompute("contact", ids)
        ScoreThreshold.objects.create(name="Hot", points=count - 2)
    return ids


@pytest.mark.parametrize("rows", [5, 50])
def test_the_contact_list_sorts_and_filters_by_score_at_constant_queries(
    alpha: TenantFixture, django_assert_max_num_queries, rows: int
) -> None:
    ids = _scored_contacts(alpha, rows)
    client = alpha.client()
    client.get("/contacts/")

    with django_assert_max_num_queries(14):
        response = client.get("/contacts/?sort=-score&columns=name,score")
    listed = [int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', response.content.decode())]
    assert listed == list(reversed(ids))

    with django_assert_max_num_queries(14):
        hot = client.get(f"/contacts/?score_min={rows - 2}&columns=name,score")
    hot_ids = [int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', hot.content.decode())]
    assert sorted(hot_ids) == sorted(ids[-3:])


def test_the_lead_list_filters_by_grade_and_a_rep_without_marketing_gets_no_score(alpha: TenantFixture) -> None:
    with alpha.active():
        fit_rule("lead", "job_title", "eq", "cto", 10)
        top, other = LeadFactory(job_title="CTO", owner=alpha.user()), LeadFactory(job_title="x", owner=alpha.user())
        recompute("lead", [top.pk, other.pk])
        assert Score.objects.get(lead=top).grade == "A"

    response = alpha.client().get("/leads/?grade=A")
    listed = {int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', response.content.decode())}
    assert listed == {top.pk}

    revoke(alpha, "sales_rep", "marketing.view")
    as_rep = alpha.client(REP_EMAIL).get("/leads/?grade=A&sort=score").content.decode()
    assert 'name="grade"' not in as_rep
