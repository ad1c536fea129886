"""The signup form's live check of the subdomain."""

import pytest
from django.test import Client


def _check(client: Client, slug: str) -> str:
    response = client.get("/signup/subdomain/", {"slug": slug})
    assert response.status_code == 200
    return response.content.decode()


def test_a_free_subdomain_is_available(public_client: Client):
    fragment = _check(public_client, "acme-trading")

    assert 'data-state="available"' in fragment
    assert "acme-trading.localhost is available" in fragment


def test_the_check_reads_what_the_signup_will_store(public_client: Client):
    assert "acme.localhost is available" in _check(public_client, "  Acme ")


def test_a_subdomain_of_an_existing_workspace_is_taken(public_client: Client, alpha):
    fragment = _check(public_client, "alpha")

    assert 'data-state="taken"' in fragment
    assert "alpha.localhost is taken" in fragment


@pytest.mark.parametrize("slug", ["www", "console", "signup", "template"])
def test_reserved_names_are_refused_with_the_validators_message(public_client: Client, slug: str):
    fragment = _check(public_client, slug)

    assert 'data-state="reserved"' in fragment
    assert f"“{slug}” is reserved." in fragment


@pytest.mark.parametrize("slug", ["ab", "1st", "has space", "under_score", "trailing-", "x" * 41])
def test_invalid_names_get_the_validators_message(public_client: Client, slug: str):
    fragment = _check(public_client, slug)

    assert 'data-state="invalid"' in fragment
    assert "Use 3–40 lower-case letters, digits and hyphens" in fragment


def test_an_empty_name_says_nothing(public_client: Client):
    assert _check(public_client, "").strip() == ""
