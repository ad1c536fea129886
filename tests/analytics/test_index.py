"""The analytics module's start page: the analyses a user may open, gated by plan and permission."""

from __future__ import annotations

from modules.analytics import catalogue
from modules.analytics.catalogue import Analysis, available
from tests.entitlements.helpers import without_modules
from tests.tenancy import REP_EMAIL, TenantFixture, revoke, with_session_of


def shown(response) -> list[str]:
    return [analysis.key for analysis in response.context["analyses"]]


def test_the_admin_sees_the_sales_reports_among_the_analyses(alpha: TenantFixture):
    response = alpha.client().get("/analytics/")

    assert response.status_code == 200
    assert {"forecast", "rep-activity"} <= set(shown(response))
    assert 'href="/forecast/"' in response.content.decode()


def test_an_analysis_needing_a_permission_the_role_lacks_is_left_out(alpha: TenantFixture):
    revoke(alpha, "admin", "sales.view_reports")

    response = alpha.client().get("/analytics/")

    assert response.status_code == 200
    assert "forecast" not in shown(response)
    assert "rep-activity" not in shown(response)


def test_an_analysis_reading_a_module_outside_the_plan_is_left_out(alpha: TenantFixture):
    without_modules(alpha, "sales")

    response = alpha.client().get("/analytics/")

    assert response.status_code == 200
    assert "forecast" not in shown(response)


def test_a_role_without_analytics_gets_403(alpha: TenantFixture):
    response = alpha.client(REP_EMAIL).get("/analytics/")

    assert response.status_code == 403


def test_a_tenant_without_analytics_gets_the_not_in_plan_page(alpha: TenantFixture):
    without_modules(alpha, "analytics")

    response = alpha.client().get("/analytics/")

    assert response.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in response.templates]


def test_another_tenants_session_is_sent_to_sign_in(alpha: TenantFixture, beta: TenantFixture):
    response = with_session_of(alpha.client(), beta.host).get("/analytics/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_available_needs_the_module_and_the_permission(alpha: TenantFixture, monkeypatch):
    monkeypatch.setattr(catalogue, "_ANALYSES", dict(catalogue._ANALYSES))
    catalogue.register(
        Analysis(key="test-only", title="T", description="D", url_name="analytics:index", needs=("marketing",))
    )
    with alpha.active():
        admin = alpha.user()
        assert "test-only" in [analysis.key for analysis in available(alpha.tenant, admin)]
        without_modules(alpha, "marketing")
        assert "test-only" not in [analysis.key for analysis in available(alpha.tenant, admin)]
