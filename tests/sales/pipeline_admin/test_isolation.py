"""Another tenant's admin cannot reach alpha's pipelines or stages, nor change anything in alpha."""

from __future__ import annotations

from modules.sales.models import Pipeline, Stage
from modules.sales.services.pipeline_admin import create_pipeline
from tests.factories import DealFactory
from tests.sales.pipeline_admin.conftest import stage_of
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail


def test_beta_cannot_reach_alphas_pipelines_and_stages(alpha: TenantFixture, beta: TenantFixture, renewals, sales):
    with alpha.active():
        stage = stage_of(renewals, "New")
        won = stage_of(renewals, "Won")
        extra = Stage.objects.create(pipeline=renewals, name="Extra", position=5)
        DealFactory(stage=stage)
    with beta.active():
        assert not Pipeline.objects.filter(pk=renewals.pk).exists()
        assert not Stage.objects.filter(pk__in=[stage.pk, won.pk, extra.pk]).exists()
    p, s = renewals.pk, stage.pk

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/settings/pipelines/{p}/", {}),
            ("post", f"/settings/pipelines/{p}/", {"new-name": "X", "new-kind": "open", "new-probability": "5"}),
            ("post", f"/settings/pipelines/{p}/rename/", {"name": "Stolen"}),
            ("post", f"/settings/pipelines/{p}/move/", {"direction": "up"}),
            ("post", f"/settings/pipelines/{p}/default/", {}),
            ("get", f"/settings/pipelines/{p}/archive/", {}),
            ("post", f"/settings/pipelines/{p}/archive/", {"target_stage": "1"}),
            ("post", f"/settings/pipelines/{p}/unarchive/", {}),
            ("post", f"/settings/pipelines/{p}/stages/reorder/", {"order": [won.pk, s, extra.pk]}),
            ("get", f"/settings/pipelines/{p}/stages/{s}/", {}),
            ("post", f"/settings/pipelines/{p}/stages/{s}/", {f"stage-{s}-name": "Stolen"}),
            ("post", f"/settings/pipelines/{p}/stages/{s}/move/", {"direction": "down"}),
            ("get", f"/settings/pipelines/{p}/stages/{extra.pk}/delete/", {}),
            ("post", f"/settings/pipelines/{p}/stages/{extra.pk}/delete/", {}),
            ("post", f"/settings/pipelines/{p}/stages/{s}/delete/", {"target_stage": str(won.pk)}),
        ],
    )


def test_a_stage_is_reached_only_through_its_own_pipeline(alpha: TenantFixture, sales, renewals):
    with alpha.active():
        stage = stage_of(renewals, "Won")
    client = alpha.client()

    edit = client.get(f"/settings/pipelines/{sales.pk}/stages/{stage.pk}/")
    delete = client.post(f"/settings/pipelines/{sales.pk}/stages/{stage.pk}/delete/", {})

    assert (edit.status_code, delete.status_code) == (404, 404)
    with alpha.active():
        assert Stage.objects.filter(pk=stage.pk).exists()


def test_a_target_stage_from_beta_is_not_a_choice_in_alpha(alpha: TenantFixture, beta: TenantFixture, sales, stages):
    with beta.active():
        beta_stage = stage_of(create_pipeline(name="Beta only"), "New")
    with alpha.active():
        assert not Stage.objects.filter(pk=beta_stage.pk).exists()
        deal = DealFactory(stage=stages["Qualification"])

    response = alpha.client().post(
        f"/settings/pipelines/{sales.pk}/stages/{stages['Qualification'].pk}/delete/", {"target_stage": beta_stage.pk}
    )

    assert (response.status_code, list(response.context["form"].errors)) == (400, ["target_stage"])
    with alpha.active():
        assert Stage.objects.get(pk=deal.stage_id).name == "Qualification"
