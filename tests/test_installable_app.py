"""The workspace installs as a web app: manifest, service worker, offline page and icons; every
host answers /favicon.ico."""

from __future__ import annotations

import json

from django.test import Client

from tests.tenancy import TenantFixture


def test_the_manifest_names_the_workspace_and_its_icons(alpha: TenantFixture):
    response = alpha.client(email=None).get("/manifest.webmanifest")
    manifest = json.loads(response.content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["name"] == alpha.tenant.name
    assert manifest["start_url"] == manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert alpha.client(email=None).get(icon["src"]).status_code == 200


def test_the_service_worker_is_served_from_the_root_and_caches_no_records(alpha: TenantFixture):
    response = alpha.client(email=None).get("/sw.js")
    source = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert 'OFFLINE_URL = "/offline/"' in source
    assert "cache.put" not in source  # only the install step adds to the cache


def test_the_offline_page_needs_no_sign_in_and_shows_no_records(alpha: TenantFixture):
    response = alpha.client(email=None).get("/offline/")

    assert response.status_code == 200
    assert "You are offline" in response.content.decode()
    assert "<script" not in response.content.decode()


def test_workspace_pages_register_the_worker_and_public_pages_do_not(alpha: TenantFixture, public_client: Client):
    workspace = alpha.client().get("/").content.decode()
    public = public_client.get("/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in workspace
    assert 'name="relata-service-worker" content="/sw.js?asset=' in workspace
    assert 'rel="manifest"' not in public
    assert 'rel="icon"' in public
    assert 'rel="icon"' in workspace


def test_every_host_answers_the_favicon(alpha: TenantFixture, public_client: Client):
    for client in (alpha.client(email=None), public_client):
        response = client.get("/favicon.ico")
        assert response.status_code == 301
        assert response["Location"].endswith(".ico")
