"""Helpers of the pipeline page tests: a read-only user, sales switched off, the seeded stages."""

from __future__ import annotations

import pytest

from identity.models import Role, User
from identity.services.accounts import create_user
from modules.sales.models import Stage
from modules.sales.services.pipelines import default_pipeline
from tenants.models import Tenant
from tests.tenancy import PASSWORD, TenantFixture

READER_EMAIL = "reader@example.test"


@pytest.fixture
def reader(alpha: TenantFixture) -> User:
    with alpha.active():
        return create_user(
            email=READER_EMAIL,
            password=PASSWORD,
            full_name="Rea Reader",
            role=Role.objects.get(key="read_only"),
            teams=[],
        )


@pytest.fixture
def sales_disabled(alpha: TenantFixture) -> None:
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=[])


@pytest.fixture
def stages(alpha: TenantFixture) -> dict[str, Stage]:
    """The default pipeline's stages by name: Qualification, Needs analysis, Proposal, Negotiation, Won, Lost."""
    with alpha.active():
        pipeline = default_pipeline()
        assert pipeline is not None
        return {stage.name: stage for stage in pipeline.stages.all()}
