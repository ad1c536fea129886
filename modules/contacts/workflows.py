"""What the customer record brings to workflows: companies and contacts as record types a rule can
use, with the fields it may test and set and their update services. Registered from
``ContactsConfig.ready()``."""

from __future__ import annotations

from customization.fields.choices import Entity
from customization.workflows.registry import WorkflowEntity, register_entity
from modules.contacts.services.companies import update_company
from modules.contacts.services.contacts import update_contact

COMPANY_FIELDS = (
    ("name", True), ("website", True), ("industry", True), ("employee_count", True), ("owner", True),
    ("source", True), ("lifecycle_stage", True), ("email", True), ("phone", True), ("city", True),
    ("region", True), ("country", True), ("description", True), ("created_at", False), ("updated_at", False),
)  # fmt: skip
CONTACT_FIELDS = (
    ("first_name", True), ("last_name", True), ("full_name", False), ("job_title", True), ("department", True),
    ("company", True), ("owner", True), ("source", True), ("lifecycle_stage", True), ("email", True),
    ("phone", True), ("city", True), ("region", True), ("country", True), ("description", True),
    ("created_at", False), ("updated_at", False),
)  # fmt: skip


def register() -> None:
    register_entity(WorkflowEntity(entity=Entity.COMPANY, fields=COMPANY_FIELDS, update=update_company))
    register_entity(WorkflowEntity(entity=Entity.CONTACT, fields=CONTACT_FIELDS, update=update_contact))
