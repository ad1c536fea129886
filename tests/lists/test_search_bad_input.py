"""A list's search box refuses text PostgreSQL cannot hold (a NUL) with a 400 naming ``q``, on
every list of the list framework, and still searches ordinary text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.tenancy import TenantFixture

LISTS = (
    "contacts:company-list",
    "contacts:contact-list",
    "sales:lead-list",
    "sales:deal-list",
    "sales:quote-list",
    "sales:order-list",
    "sales:product-list",
    "activities:activity-list",
    "service:case-list",
)


@pytest.mark.parametrize("url_name", LISTS)
def test_a_nul_in_the_search_is_a_400_naming_q(alpha: TenantFixture, url_name: str) -> None:
    client = alpha.client()
    with alpha.active():
        path = reverse(url_name)
    response = client.get(path, {"q": "acme\x00"})
    assert response.status_code == 400
    assert response.content.decode().startswith("q: ")
    assert client.get(path, {"q": "acme"}).status_code == 200
