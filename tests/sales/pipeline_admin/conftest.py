"""Pipelines admin fixtures: the seeded default pipeline of alpha, its stages, and a second pipeline."""

from __future__ import annotations

import pytest

from modules.sales.models import Pipeline, Stage
from modules.sales.services.pipeline_admin import create_pipeline
from modules.sales.services.pipelines import default_pipeline
from tests.tenancy import TenantFixture


@pytest.fixture
def sales(alpha: TenantFixture) -> Pipeline:
    """Alpha's seeded default pipeline: Qualification, Needs analysis, Proposal, Negotiation, Won, Lost."""
    with alpha.active():
        pipeline = default_pipeline()
        assert pipeline is not None
        return pipeline


@pytest.fixture
def stages(sales: Pipeline, alpha: TenantFixture) -> dict[str, Stage]:
    with alpha.active():
        return {stage.name: stage for stage in sales.stages.all()}


@pytest.fixture
def renewals(alpha: TenantFixture) -> Pipeline:
    """A second pipeline in alpha with the starting stages New, Won and Lost."""
    with alpha.active():
        return create_pipeline(name="Renewals")


def stage_of(pipeline: Pipeline, name: str) -> Stage:
    return Stage.objects.get(pipeline=pipeline, name=name)


def stage_names(pipeline: Pipeline) -> list[str]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id").values_list("name", flat=True))
