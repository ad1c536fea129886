"""Who reaches the console: operator staff on the public host, and nobody else."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import get_resolver
from django_tenants.utils import schema_context

from identity.models import User
from tests.console.conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, PUBLIC_HOST, enrol_with_first_code
from tests.routes import walk_routes
from tests.tenancy import ADMIN_EMAIL, PASSWORD, TenantFixture

CONVERTER_SAMPLES = {"int": "1", "str": "alpha", "slug": "alpha", "uuid": str(uuid.uuid4()), "path": "alpha"}
SIGN_IN_NAMES = {"console:login", "console:login-verify", "console:logout"}
# What would show that a response leaked a tenant: its name, a user's e-mail, its schema.
TENANT_MARKERS = ("Alpha Ltd", "Beta Ltd", ADMIN_EMAIL, "rep@example.test")


def _console_urls() -> Iterator[tuple[str, str]]:
    """(url name, path) of every console URL, parameters filled with sample values."""
    console = get_resolver("crm_platform.console.urls")  # mounted at /console/ by crm_platform.urls_public
    for found in walk_routes(console.url_patterns, "console/"):
        if found.pattern.name:
            path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: CONVERTER_SAMPLES[m.group(1) or "str"], found.route)
            yield f"console:{found.pattern.name}", "/" + path


CONSOLE_URLS = sorted(_console_urls())


def _assert_no_tenant_data(response) -> None:
    content = response.content.decode(errors="replace")
    for marker in TENANT_MARKERS:
        assert marker not in content, f"{response.request['PATH_INFO']} shows {marker}"


def test_the_walk_covers_the_console_sections():
    names = {name for name, _path in CONSOLE_URLS}

    assert {"console:tenants", "console:tenant", "console:tenant-suspend", "console:audit-log"} <= names


@pytest.mark.parametrize(("name", "path"), [u for u in CONSOLE_URLS if u[0] not in SIGN_IN_NAMES])
def test_anonymous_visitors_are_sent_to_sign_in_and_see_nothing(alpha: TenantFixture, name: str, path: str):
    client = Client(HTTP_HOST=PUBLIC_HOST)

    for response in (client.get(path), client.post(path, {"reason": "x", "delete-confirm_slug": "alpha"})):
        _assert_no_tenant_data(response)
        if response.status_code == 405:  # a POST-only view may refuse the method first
            continue
        assert response.status_code == 302, name
        assert response["Location"].startswith("/console/login/?next="), name
    assert alpha.tenant.__class__.objects.filter(slug="alpha", status="active").exists()


@pytest.mark.parametrize(("name", "path"), [u for u in CONSOLE_URLS if u[0] not in SIGN_IN_NAMES])
def test_a_public_user_who_is_not_staff_gets_404_everywhere(db: None, name: str, path: str):
    with schema_context("public"):
        visitor = User.objects.create_user("visitor@relata.test", "x-unrelated-pass-99", is_staff=False)
    client = Client(HTTP_HOST=PUBLIC_HOST)
    client.force_login(visitor, backend="identity.backends.EmailBackend")

    get, post = client.get(path), client.post(path, {"reason": "x"})

    assert get.status_code in {404, 405}, name
    assert post.status_code == 404, name
    _assert_no_tenant_data(get)
    _assert_no_tenant_data(post)


@pytest.mark.parametrize(("name", "path"), [u for u in CONSOLE_URLS if "<" not in u[1]])
def test_a_tenant_user_on_a_tenant_host_finds_no_console(alpha: TenantFixture, name: str, path: str):
    client = alpha.client()

    assert client.get(path).status_code == 404
    assert client.post(path, {"reason": "x"}).status_code == 404


def test_a_tenant_users_credentials_do_not_sign_in_on_the_public_host(alpha: TenantFixture):
    client = Client(HTTP_HOST=PUBLIC_HOST)

    response = client.post("/console/login/", {"username": ADMIN_EMAIL, "password": PASSWORD})

    assert response.status_code == 400
    assert "That e-mail and password do not match an account here." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_public_user_who_is_not_staff_cannot_sign_in_and_counts_towards_the_lockout(db: None):
    with schema_context("public"):
        User.objects.create_user("visitor@relata.test", "x-unrelated-pass-99", is_staff=False)
    client = Client(HTTP_HOST=PUBLIC_HOST)

    answers = [
        client.post("/console/login/", {"username": "visitor@relata.test", "password": "x-unrelated-pass-99"})
        for _attempt in range(6)
    ]

    # As on a tenant host: the fifth failure locks the account, so even it gets the lockout answer.
    assert [a.status_code for a in answers] == [400, 400, 400, 400, 429, 429]
    assert "do not match an account here" in answers[0].content.decode()
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in answers[5].content.decode()
    assert "_auth_user_id" not in client.session


def test_an_operator_signs_in_and_out(operator: User):
    client = Client(HTTP_HOST=PUBLIC_HOST)

    form = client.get("/console/")
    password_step = client.post(
        "/console/login/?next=/console/audit-log/", {"username": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}
    )
    signed_in = enrol_with_first_code(client)
    home = client.get("/console/")
    signed_out = client.post("/console/logout/")

    assert form["Location"] == "/console/login/?next=/console/"
    assert password_step["Location"] == "/console/login/verify/"
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/console/audit-log/"
    assert home.status_code == 200
    assert signed_out["Location"] == "/console/login/"
    assert client.get("/console/").status_code == 302


def test_sign_in_never_redirects_off_the_console(operator: User):
    client = Client(HTTP_HOST=PUBLIC_HOST)

    client.post("/console/login/?next=https://evil.test/", {"username": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD})
    response = enrol_with_first_code(client)

    assert response["Location"] == "/console/"


def test_a_wrong_operator_password_is_refused(operator: User):
    client = Client(HTTP_HOST=PUBLIC_HOST)

    response = client.post("/console/login/", {"username": OPERATOR_EMAIL, "password": "wrong"})

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("name", ["console:tenants", "console:audit-log"])
def test_an_operator_sees_the_console_pages(operator_client: Client, alpha: TenantFixture, name: str):
    path = dict(CONSOLE_URLS)[name]

    response = operator_client.get(path)

    assert response.status_code == 200


def test_an_operator_sees_a_tenant_by_slug_or_id(operator_client: Client, alpha: TenantFixture):
    by_slug = operator_client.get("/console/tenants/alpha/")
    by_id = operator_client.get(f"/console/tenants/{alpha.tenant.pk}/")

    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.context["tenant"] == by_id.context["tenant"] == alpha.tenant


@pytest.mark.parametrize("key", ["public", "template", "nobody"])
def test_the_public_and_template_tenants_are_not_in_the_console(operator_client: Client, key: str):
    assert operator_client.get(f"/console/tenants/{key}/").status_code == 404


def test_create_operator_makes_a_staff_account_that_can_sign_in(db: None):
    out = io.StringIO()

    call_command("create_operator", email="Support@Relata.test", password="harbour-violet-engine-7", stdout=out)

    with schema_context("public"):
        operator = User.objects.get(email="support@relata.test")
    assert operator.is_staff
    assert operator.is_active
    assert "support@relata.test" in out.getvalue()
    client = Client(HTTP_HOST=PUBLIC_HOST)
    password_step = client.post(
        "/console/login/", {"username": "support@relata.test", "password": "harbour-violet-engine-7"}
    )
    assert password_step["Location"] == "/console/login/verify/"
    assert enrol_with_first_code(client)["Location"] == "/console/"


def test_create_operator_again_resets_the_password_and_promotes_an_existing_account(db: None):
    with schema_context("public"):
        User.objects.create_user("visitor@relata.test", "x-unrelated-pass-99", is_staff=False, is_active=False)

    call_command(
        "create_operator", email="visitor@relata.test", password="harbour-violet-engine-7", stdout=io.StringIO()
    )

    with schema_context("public"):
        visitor = User.objects.get(email="visitor@relata.test")
    assert visitor.is_staff
    assert visitor.is_active
    assert visitor.check_password("harbour-violet-engine-7")
    assert User.objects.filter(email="visitor@relata.test").count() == 1


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("not-an-address", "harbour-violet-engine-7", "email"), ("a@relata.test", "short", "password")],
)
def test_create_operator_refuses_bad_input_naming_the_field(db: None, email: str, password: str, field: str):
    with schema_context("public"):  # other files may have committed operators (the demo's)
        staff_before = set(User.objects.filter(is_staff=True).values_list("pk", flat=True))

    with pytest.raises(CommandError, match=f"^{field}: "):
        call_command("create_operator", email=email, password=password, stdout=io.StringIO())

    with schema_context("public"):
        assert not User.objects.filter(email__iexact=email).exists()
        assert set(User.objects.filter(is_staff=True).values_list("pk", flat=True)) == staff_before
