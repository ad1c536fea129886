"""Lead scoring through REST: rules and thresholds written by admins through the rule services
(checked like the page), scores of visible contacts and leads with why they are what they are;
bad input, roles, key scopes, another tenant, the link rule and query counts."""

from __future__ import annotations

from django.utils import timezone

from modules.marketing.scoring.choices import BehaviourEvent
from modules.marketing.scoring.models import Score, ScoreThreshold, ScoringRule
from modules.marketing.scoring.services.compute import recompute
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import ContactFactory, LeadFactory
from tests.marketing.consent.conftest import written
from tests.marketing.scoring.conftest import behaviour_rule, fit_rule, ledger_row
from tests.tenancy import REP_EMAIL, TenantFixture, grant, schema_snapshot

FIT = {"name": "Directors", "kind": "fit", "entity": "contact", "field": "job_title", "operator": "contains",
       "value": "director", "points": 20}  # fmt: skip
BEHAVIOUR = {"name": "Opens", "kind": "behaviour", "event_type": BehaviourEvent.EMAIL_OPENED, "points": 5,
             "cap_points": 15, "cap_days": 7, "decay": "percent", "decay_percent": 50, "decay_days": 30}  # fmt: skip


def test_rules_and_thresholds_are_written_through_the_rule_services(alpha: TenantFixture) -> None:
    client = api_client(alpha)

    fit = post(client, "/api/v1/scoring-rules/", FIT)
    behaviour = post(client, "/api/v1/scoring-rules/", BEHAVIOUR)
    paused = patch(client, f"/api/v1/scoring-rules/{fit.json()['id']}/", {"active": False, "points": 25})
    threshold = post(client, "/api/v1/score-thresholds/", {"name": "MQL", "points": 50})
    listed = client.get("/api/v1/scoring-rules/?kind=behaviour").json()["results"]
    removed = client.delete(f"/api/v1/scoring-rules/{behaviour.json()['id']}/")
    gone = client.delete(f"/api/v1/score-thresholds/{threshold.json()['id']}/")

    assert fit.status_code == 201, fit.content
    assert fit.json()["created_by"]["email"] == alpha.user().email
    assert behaviour.status_code == 201, behaviour.content
    assert (paused.json()["active"], paused.json()["points"], paused.json()["field"]) == (False, 25, "job_title")
    assert threshold.status_code == 201, threshold.content
    assert [row["name"] for row in listed] == ["Opens"]
    assert (removed.status_code, gone.status_code) == (204, 204)
    with alpha.active():
        assert list(ScoringRule.objects.values_list("name", "active")) == [("Directors", False)]
        assert not ScoreThreshold.objects.exists()


def test_bad_rules_are_a_400_naming_the_field_and_write_nothing(alpha: TenantFixture) -> None:
    client = api_client(alpha)
    with alpha.active():
        ScoreThreshold.objects.create(name="MQL", points=50)
    before = schema_snapshot(alpha.tenant)
    cases = [
        ({**FIT, "name": "nul\x00"}, "name"),
        ({**FIT, "name": "x" * 5000}, "name"),
        ({**FIT, "field": "no_such_field"}, "field"),
        ({**FIT, "operator": ""}, "operator"),
        ({**FIT, "points": 10**9}, "points"),
        ({**FIT, "kind": "magic"}, "kind"),
        ({**BEHAVIOUR, "event_type": ""}, "event_type"),
        ({**BEHAVIOUR, "cap_days": None}, "cap_days"),
        ({**BEHAVIOUR, "decay_days": None}, "decay_days"),
        ({**BEHAVIOUR, "value": "x\x00"}, "value"),
    ]
    for body, field in cases:
        response = post(client, "/api/v1/scoring-rules/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in field_names(response), (body, response.json())
    for body, field in (({"name": "MQL", "points": 10}, "name"), ({"name": "SQL", "points": 0}, "points"),
                        ({"name": "y" * 500, "points": 5}, "name")):  # fmt: skip
        response = post(client, "/api/v1/score-thresholds/", body)
        assert response.status_code == 400, (body, response.content)
        assert field in field_names(response), (body, response.json())
    assert schema_snapshot(alpha.tenant) == before


def test_a_score_says_why_it_is_what_it_is(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = fit_rule("contact", "job_title", "contains", "director", 20)
        opens = behaviour_rule(BehaviourEvent.EMAIL_OPENED, 5)
        contact = ContactFactory(job_title="Sales Director")
        lead = LeadFactory()
        ledger_row(opens, days_ago=1, contact=contact)
        ledger_row(opens, days_ago=2, contact=contact)
        recompute("contact", [contact.pk])
        Score.objects.create(lead=lead, fit=0, behaviour=3, total=3, updated_at=timezone.now())
        score = Score.objects.get(contact=contact)
    client = api_client(alpha)

    mine = client.get(f"/api/v1/lead-scores/?contact={contact.pk}").json()["results"]
    ranked = client.get("/api/v1/lead-scores/?ordering=-total").json()["results"]
    detail = client.get(f"/api/v1/lead-scores/{score.pk}/").json()

    assert [(row["contact"]["id"], row["fit"], row["behaviour"], row["total"]) for row in mine] == [
        (contact.pk, 20, 10, 30)
    ]
    assert [row["total"] for row in ranked] == [30, 3]
    assert ranked[1]["lead"]["id"] == lead.pk
    assert [item["id"] for item in detail["fit_rules"]] == [rule.pk]
    assert [(item["rule"]["id"], item["points"]) for item in detail["recent_points"]] == [(opens.pk, 5), (opens.pk, 5)]


def test_roles_and_keys_without_the_permission_are_refused(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "marketing.view")
    with alpha.active():
        rule = fit_rule("contact", "job_title", "contains", "director", 20)
        threshold = ScoreThreshold.objects.create(name="MQL", points=50)
    rep = api_client(alpha, REP_EMAIL)
    _key, read_only = issue_key(alpha, scopes=("marketing:read",))
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales")
    reader, seller = bearer_client(alpha, read_only), bearer_client(alpha, sales_only)
    before = written(alpha)

    for path in ("/api/v1/scoring-rules/", "/api/v1/score-thresholds/", "/api/v1/lead-scores/"):
        assert rep.get(path).status_code == 200, path
        assert reader.get(path).status_code == 200, path
        assert seller.get(path).status_code == 403, path
    assert post(rep, "/api/v1/scoring-rules/", FIT).status_code == 403
    assert patch(rep, f"/api/v1/scoring-rules/{rule.pk}/", {"points": 1}).status_code == 403
    assert rep.delete(f"/api/v1/scoring-rules/{rule.pk}/").status_code == 403
    assert post(rep, "/api/v1/score-thresholds/", {"name": "SQL", "points": 80}).status_code == 403
    assert rep.delete(f"/api/v1/score-thresholds/{threshold.pk}/").status_code == 403
    refused = post(reader, "/api/v1/scoring-rules/", FIT)
    assert refused.status_code == 403
    assert "marketing:write" in refused.json()["detail"]
    assert written(alpha) == before


def test_scores_follow_the_records_visibility_and_the_link_rule(alpha: TenantFixture) -> None:
    grant(alpha, "sales_rep", "marketing.view")
    with alpha.active():
        mine = ContactFactory(owner=alpha.user(REP_EMAIL))
        hidden = ContactFactory(owner=alpha.user())
        for contact in (mine, hidden):
            Score.objects.create(contact=contact, total=10, updated_at=timezone.now())
        hidden_score = Score.objects.get(contact=hidden)
    rep = api_client(alpha, REP_EMAIL)
    _key, no_contacts = issue_key(alpha, scopes=("marketing:read",), name="Marketing only")

    listed = rep.get("/api/v1/lead-scores/").json()["results"]
    unlinked = bearer_client(alpha, no_contacts).get("/api/v1/lead-scores/").json()["results"]

    assert [row["contact"]["id"] for row in listed] == [mine.pk]
    assert rep.get(f"/api/v1/lead-scores/{hidden_score.pk}/").status_code == 404
    assert len(unlinked) == 2
    assert {row["contact"] for row in unlinked} == {None}


def test_another_tenants_scoring_records_are_out_of_reach(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        rule = fit_rule("contact", "job_title", "contains", "director", 20)
        threshold = ScoreThreshold.objects.create(name="MQL", points=50)
        score = Score.objects.create(contact=ContactFactory(), total=10, updated_at=timezone.now())
    assert_rest_requests_fail_across_tenants(alpha, beta, [
        ("get", f"/api/v1/scoring-rules/{rule.pk}/", {}),
        ("patch", f"/api/v1/scoring-rules/{rule.pk}/", {"points": 1}),
        ("delete", f"/api/v1/scoring-rules/{rule.pk}/", {}),
        ("get", f"/api/v1/score-thresholds/{threshold.pk}/", {}),
        ("delete", f"/api/v1/score-thresholds/{threshold.pk}/", {}),
        ("get", f"/api/v1/lead-scores/{score.pk}/", {}),
    ])  # fmt: skip


def test_the_lists_cost_the_same_queries_for_5_and_50_rows(alpha: TenantFixture) -> None:
    def add(count: int) -> None:
        with alpha.active():
            start = ScoringRule.objects.count()
            for index in range(count):
                fit_rule("contact", "job_title", "contains", f"title {start + index}", 1)
                Score.objects.create(contact=ContactFactory(), total=index, updated_at=timezone.now())
                Score.objects.create(lead=LeadFactory(), total=index, updated_at=timezone.now())

    client = api_client(alpha)
    paths = ["/api/v1/scoring-rules/?page_size=100", "/api/v1/lead-scores/?page_size=100"]
    add(5)
    few = [queries_for(client, path)[0] for path in paths]
    add(45)
    many = [queries_for(client, path) for path in paths]

    assert [count for count, _response in many] == few
    assert len(many[0][1].json()["results"]) == 50
