"""What marketing brings to workflows: campaigns as a record type a rule can use (their fields and
update service, the kinds and statuses as choices). Registered from ``MarketingConfig.ready()``."""

from __future__ import annotations

from customization.fields.choices import Entity
from customization.workflows.registry import WorkflowEntity, register_entity
from modules.marketing.services.campaigns import update_campaign

CAMPAIGN_FIELDS = (
    ("name", True), ("kind", True), ("status", True), ("parent", True), ("owner", True), ("start_date", True),
    ("end_date", True), ("currency", True), ("budget", True), ("actual_cost", True), ("expected_revenue", True),
    ("description", True), ("created_at", False), ("updated_at", False),
)  # fmt: skip


def register() -> None:
    register_entity(WorkflowEntity(entity=Entity.CAMPAIGN, fields=CAMPAIGN_FIELDS, update=update_campaign))
