"""Tampered page cursors: a position the sort column cannot hold (an offset PostgreSQL refuses,
a NUL) is ignored like any other tampered cursor, and the list starts from its first page."""

import base64
import json

import pytest

from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/contacts/?sort=updated_at&after=", "2020-01-01T00:00:00+16:00"),
        ("/contacts/?sort=full_name&after=", "Ana\x00"),
        ("/leads/?sort=-created&cursor=", {"t": "2020-01-01T00:00:00+16:00", "k": "dt"}),
        ("/leads/?sort=name&cursor=", "Ana\x00"),
    ],
)
def test_a_page_cursor_the_column_cannot_hold_starts_from_the_first_page(
    alpha: TenantFixture, path: str, value: object
):
    with alpha.active():
        ContactFactory(first_name="Ana", last_name="Pop")
    cursor = base64.urlsafe_b64encode(json.dumps([value, 1]).encode()).decode()

    response = alpha.client().get(f"{path}{cursor}")

    assert response.status_code == 200


def test_a_custom_sort_cursor_holding_a_nul_starts_from_the_first_page(alpha: TenantFixture):
    with alpha.active():
        CustomFieldDefinition.objects.create(
            entity=Entity.CONTACT, key="territory", label="Territory", field_type=FieldType.TEXT
        )
        ContactFactory(first_name="Ana", last_name="Pop", custom={"territory": "north"})
    cursor = base64.urlsafe_b64encode(json.dumps(["nor\x00th", 1]).encode()).decode()

    response = alpha.client().get(f"/contacts/?sort=cf.territory&after={cursor}")

    assert response.status_code == 200
    assert "Ana Pop" in response.content.decode()
