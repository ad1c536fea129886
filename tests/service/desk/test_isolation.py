"""Another tenant reaches none of alpha's service desk records, and a tenant without the service
module gets the "not in your plan" answer on every desk page, writing nothing."""

from __future__ import annotations

from modules.service.choices import MessageAuthor
from modules.service.desk.choices import AssignmentMethod
from modules.service.desk.models import AssignmentRule, CannedResponse
from modules.service.desk.services.assignment import create_rule
from modules.service.desk.services.canned import create_canned_response
from modules.service.models import Case, CaseCategory, CaseStatus
from modules.service.services.cases import add_message
from tests.entitlements.helpers import without_modules
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail


def _alpha_records(alpha: TenantFixture) -> dict[str, int]:
    case = make_case(alpha, subject="Alpha only")
    other = make_case(alpha, subject="Alpha too")
    with alpha.active():
        admin = alpha.user()
        message = add_message(case, by=None, author_kind=MessageAuthor.CUSTOMER, body_text="alpha")
        add_message(case, by=None, author_kind=MessageAuthor.CUSTOMER, body_text="alpha two")
        return {
            "case": case.pk,
            "other": other.pk,
            "message": message.pk,
            "status": CaseStatus.objects.create(key="alpha-only", label="Alpha only", category="open", position=60).pk,
            "category": CaseCategory.objects.create(name="Alpha only").pk,
            "rule": create_rule(name="Alpha rule", method=AssignmentMethod.ROUND_ROBIN).pk,
            "shared": create_canned_response(by=admin, shared=True, title="Alpha shared", body="x").pk,
            "own": create_canned_response(by=admin, shared=False, title="Alpha own", body="x").pk,
        }


def test_beta_cannot_reach_alphas_desk_records(alpha: TenantFixture, beta: TenantFixture) -> None:
    ids = _alpha_records(alpha)
    with beta.active():
        assert not Case.objects.filter(pk__in=[ids["case"], ids["other"]]).exists()
        assert not CaseStatus.objects.filter(pk=ids["status"]).exists()
        assert not CaseCategory.objects.filter(pk=ids["category"]).exists()
        assert not AssignmentRule.objects.filter(pk=ids["rule"]).exists()
        assert not CannedResponse.objects.filter(pk__in=[ids["shared"], ids["own"]]).exists()
    case, status, category, rule = ids["case"], ids["status"], ids["category"], ids["rule"]
    shared, own = ids["shared"], ids["own"]

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("post", f"/settings/service/statuses/{status}/rename/", {"label": "Stolen"}),
            ("post", f"/settings/service/statuses/{status}/move/", {"direction": "up"}),
            ("post", f"/settings/service/statuses/{status}/active/", {"active": "0"}),
            ("post", f"/settings/service/statuses/{status}/delete/", {}),
            ("post", f"/settings/service/categories/{category}/rename/", {"name": "Stolen"}),
            ("post", f"/settings/service/categories/{category}/active/", {"active": "0"}),
            ("get", f"/settings/service/assignment/{rule}/", {}),
            ("post", f"/settings/service/assignment/{rule}/", {"name": "Stolen", "method": "round_robin"}),
            ("post", f"/settings/service/assignment/{rule}/move/", {"direction": "down"}),
            ("post", f"/settings/service/assignment/{rule}/delete/", {}),
            ("get", f"/settings/service/canned-responses/{shared}/", {}),
            ("post", f"/settings/service/canned-responses/{shared}/", {"title": "Stolen", "body": "x"}),
            ("post", f"/settings/service/canned-responses/{shared}/delete/", {}),
            ("get", f"/service/desk/canned-responses/{own}/", {}),
            ("post", f"/service/desk/canned-responses/{own}/", {"title": "Stolen", "body": "x"}),
            ("post", f"/service/desk/canned-responses/{own}/delete/", {}),
            ("get", f"/service/desk/cases/{case}/canned-responses/{shared}/", {}),
            ("get", f"/service/desk/cases/{case}/replying/", {}),
            ("post", f"/service/desk/cases/{case}/replying/", {"typing": "1"}),
            ("get", f"/service/desk/cases/{case}/merge/", {}),
            ("post", f"/service/desk/cases/{case}/merge/", {"target": "C-00001"}),
            ("get", f"/service/desk/cases/{case}/split/", {}),
            ("post", f"/service/desk/cases/{case}/split/", {"messages": [ids["message"]]}),
        ],
    )


def test_without_the_service_module_every_desk_page_is_not_in_the_plan(alpha: TenantFixture) -> None:
    ids = _alpha_records(alpha)
    without_modules(alpha, "service")
    client = alpha.client()
    case = ids["case"]
    paths = [
        "/settings/service/statuses/", "/settings/service/categories/", "/settings/service/assignment/",
        f"/settings/service/assignment/{ids['rule']}/", "/settings/service/canned-responses/",
        "/service/desk/canned-responses/", f"/service/desk/cases/{case}/canned-responses/{ids['shared']}/",
        f"/service/desk/cases/{case}/replying/", f"/service/desk/cases/{case}/merge/",
        f"/service/desk/cases/{case}/split/", "/service/desk/monitoring/",
    ]  # fmt: skip
    with alpha.active():
        messages_before = list(Case.objects.filter(pk=case).values_list("messages", flat=True))

    answers = {path: client.get(path) for path in paths}
    posted = client.post(f"/service/desk/cases/{case}/split/", {"messages": [ids["message"]]})
    added = client.post("/settings/service/categories/", {"name": "Written?"})

    assert {path: r.status_code for path, r in answers.items()} == dict.fromkeys(paths, 403)
    assert all("errors/not_in_plan.html" in [t.name for t in r.templates] for r in answers.values())
    assert (posted.status_code, added.status_code) == (403, 403)
    with alpha.active():
        assert list(Case.objects.filter(pk=case).values_list("messages", flat=True)) == messages_before
        assert not CaseCategory.objects.filter(name="Written?").exists()
