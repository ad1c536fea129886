"""Tampered cursors: a position the ordering column cannot hold (not a number, an impossible
date, an offset PostgreSQL refuses, a NUL, an id beyond bigint) is an invalid cursor, a 404
problem like any other malformed cursor, never a server error."""

import base64
import json
from urllib.parse import urlencode

import pytest

from tests.api.rest_crm.helpers import api_client
from tests.factories import ContactFactory, ProductFactory
from tests.tenancy import TenantFixture


def _cursor(position: str) -> str:
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


@pytest.mark.parametrize(
    ("path", "position"),
    [
        ("/api/v1/contacts/", "abc"),
        ("/api/v1/contacts/", str(2**70)),
        ("/api/v1/products/", "abc"),
        ("/api/v1/contacts/?ordering=updated_at", json.dumps(["2020-01-01T00:00:00+16:00", 1])),
        ("/api/v1/contacts/?ordering=updated_at", json.dumps(["not a time", 1])),
        ("/api/v1/contacts/?ordering=full_name", json.dumps(["Ana\x00", 1])),
        ("/api/v1/contacts/?ordering=full_name", json.dumps(["Ana", 2**70])),
    ],
)
def test_a_cursor_the_column_cannot_hold_is_an_invalid_cursor(alpha: TenantFixture, path: str, position: str):
    with alpha.active():
        ContactFactory(first_name="Ana", last_name="Pop")
        ProductFactory(name="Anvil")
    separator = "&" if "?" in path else "?"

    response = api_client(alpha).get(f"{path}{separator}cursor={_cursor(position)}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Invalid cursor"
