"""The portal's page shell: customers get no staff app to install, and their language switch is
the portal's own (a cookie), never a staff account's preference."""

from __future__ import annotations

from django.conf import settings

from tests.service.portal.helpers import make_portal_user, portal_client
from tests.tenancy import TenantFixture


def test_portal_pages_offer_no_app_install_and_no_service_worker(alpha: TenantFixture) -> None:
    customer = make_portal_user(alpha)

    portal_page = portal_client(alpha, customer).get("/portal/").content.decode()
    sign_in_page = alpha.client(None).get("/portal/sign-in/").content.decode()
    staff_page = alpha.client().get("/").content.decode()

    for page in (portal_page, sign_in_page):
        assert 'rel="manifest"' not in page
        assert "relata-service-worker" not in page
        assert 'action="/portal/language/"' in page
    assert 'rel="manifest"' in staff_page  # the staff app still installs


def test_the_portal_language_switch_sets_the_cookie_and_leaves_a_staff_account_alone(alpha: TenantFixture) -> None:
    customer = make_portal_user(alpha)
    browser = portal_client(alpha, customer)
    staff = alpha.client()  # a staff session in the same browser
    browser.cookies.update(staff.cookies)
    staff_locale = alpha.user().locale

    response = browser.post("/portal/language/", {"language": "fr", "next": "/portal/cases/"})

    assert response.status_code == 302
    assert response["Location"] == "/portal/cases/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert alpha.user().locale == staff_locale
    customer_only = portal_client(alpha, customer)
    customer_only.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="fr">' in customer_only.get("/portal/cases/").content.decode()


def test_the_portal_language_switch_refuses_unknown_languages_and_foreign_targets(alpha: TenantFixture) -> None:
    client = alpha.client(None)

    unknown = client.post("/portal/language/", {"language": "xx"})
    elsewhere = client.post("/portal/language/", {"language": "ro", "next": "https://evil.example/portal/"})
    staff_side = client.post("/portal/language/", {"language": "ro", "next": "/settings/"})

    assert unknown.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in unknown.cookies
    assert elsewhere["Location"] == "/portal/"
    assert staff_side["Location"] == "/portal/"
