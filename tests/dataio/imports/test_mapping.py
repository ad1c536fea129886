"""The suggested column mapping and what a mapping must contain."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition
from modules.dataio.imports.choices import DedupeRule, ImportEntity
from modules.dataio.imports.services import mapping_errors
from modules.dataio.imports.targets import suggest_mapping, targets_for
from tests.dataio.imports.conftest import csv_bytes, uploaded_job
from tests.tenancy import TenantFixture


def test_headers_are_matched_to_fields_labels_aliases_and_custom_fields(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(
            entity=Entity.CONTACT, key="shoe_size", label="Shoe size", field_type=FieldType.NUMBER,
            label_translations={"ro": "Mărime pantof"},
        )  # fmt: skip
        header = [
            "First Name", "SURNAME", "E-Mail Address", "Company", "Owner e-mail", "Shoe Size", "mărime pantof",
            "Notes?", "", "first_name",
        ]  # fmt: skip

        mapping = suggest_mapping(header, targets_for(ImportEntity.CONTACT))

    assert mapping == [
        "first_name", "last_name", "email", "company", "owner", "custom.shoe_size", "", "", "", "",
    ]  # fmt: skip


def test_lead_and_deal_headers_map_to_their_own_fields(alpha: TenantFixture) -> None:
    with alpha.active():
        lead = suggest_mapping(["Company", "Value", "Status"], targets_for(ImportEntity.LEAD))
        deal = suggest_mapping(["Deal name", "Amount", "Stage", "Company", "Contact e-mail"], targets_for("deal"))

    assert lead == ["company_name", "estimated_value", "status"]
    assert deal == ["name", "amount", "stage", "company", "contact"]


def test_a_mapping_names_what_is_missing_or_twice_used(alpha: TenantFixture) -> None:
    with alpha.active():
        CustomFieldDefinition.objects.create(
            entity=Entity.CONTACT, key="region", label="Region", field_type=FieldType.TEXT, required=True
        )
        errors = mapping_errors("contact", ["A", "B", "C"], ["email", "email", "bogus"], DedupeRule.SKIP)
        no_match_key = mapping_errors("contact", ["A", "B"], ["last_name", "custom.region"], DedupeRule.UPDATE)

    assert errors == {
        "column_1": ["“E-mail” is already mapped to the column A."],
        "column_2": ["Choose a field from the list."],
        "mapping": ["Map a column to First name / Last name.", "Map a column to Region: it is required."],
    }
    assert no_match_key == {"dedupe": ["Existing records are found by E-mail: map that column."]}


def test_an_unmapped_required_field_keeps_the_job_unmapped(alpha: TenantFixture) -> None:
    with alpha.active():
        content = csv_bytes([["Website", "City"], ["https://acme.example", "Cluj"]])

        with pytest.raises(ValidationError) as refused:
            uploaded_job(ImportEntity.COMPANY, content, by=alpha.user())

    assert refused.value.message_dict == {"mapping": ["Map a column to Name."]}
