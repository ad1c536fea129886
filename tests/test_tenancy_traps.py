"""Isolation on the cross-cutting surfaces: cache keys, tasks, search_path traps, logs, Sentry."""

import json
import logging
import secrets
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from crm_platform.logging import RequestContextFilter
from crm_platform.sentry import SCRUBBED, init_sentry, scrub_event
from identity.models import Invitation, Role, User
from tenants.models import Tenant
from tests.tenancy import TenantFixture


def test_cache_entries_are_per_tenant(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        cache.set("dashboard:totals", {"deals": 12})

    with beta.active():
        seen_by_beta = cache.get("dashboard:totals")
        cache.set("dashboard:totals", {"deals": 3})
    with alpha.active():
        seen_by_alpha = cache.get("dashboard:totals")

    assert seen_by_beta is None
    assert seen_by_alpha == {"deals": 12}


def test_a_savepoint_rollback_does_not_leave_a_stale_search_path(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        alpha_admin_id = User.objects.get(email="admin@example.test").pk
        try:
            with transaction.atomic():
                connection.set_tenant(beta.tenant)
                User.objects.count()  # SET search_path to beta inside the savepoint
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        connection.set_tenant(alpha.tenant)
        User.objects.filter(pk=alpha_admin_id).update(full_name="Only Alpha")

    assert alpha.user().full_name == "Only Alpha"
    assert beta.user().full_name == ""


def test_a_lazy_queryset_reads_the_schema_active_when_it_is_evaluated(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        User.objects.filter(email="rep@example.test").update(full_name="Alpha Rep")
        lazy = User.objects.filter(email="rep@example.test").values_list("full_name", flat=True)

    with beta.active():
        evaluated_in_beta = list(lazy)

    # The trap the design warns about: querysets carry no tenant, so evaluate them in context.
    assert evaluated_in_beta == ["Rita Rep"]


@pytest.fixture
def committed_tenants(django_db_setup, django_db_blocker) -> Iterator[tuple[TenantFixture, TenantFixture]]:
    """Alpha and beta outside a test transaction, for a worker to see; the test's rows are removed."""
    with django_db_blocker.unblock():
        pair = (TenantFixture(Tenant.objects.get(slug="alpha")), TenantFixture(Tenant.objects.get(slug="beta")))
        yield pair
        with tenant_context(pair[0].tenant):
            Invitation.objects.filter(email="worker@example.test").delete()
        connection.set_schema_to_public()


@pytest.mark.worker
def test_a_task_runs_in_the_schema_of_the_tenant_that_queued_it(committed_tenants, celery_worker):
    from identity.services.invitations import invite_user
    from identity.tasks import send_invitation_email
    from tests.processes import wait_until

    alpha, beta = committed_tenants
    with alpha.active():
        invitation, token = invite_user(
            email="worker@example.test",
            role=Role.objects.get(key="sales_rep"),
            teams=[],
            invited_by=alpha.user(),
            accept_url_base=f"http://{alpha.host}/invitations/",
        )
    with beta.active():  # beta asks a worker to mail alpha's invitation id
        beta_result = send_invitation_email.apply_async((invitation.pk, f"http://{beta.host}/invitations/x/"))

    def mails() -> list[str]:  # the worker's mail directory is shared: count only this test's mails
        return [text for path in celery_worker.iterdir() if "worker@example.test" in (text := path.read_text())]

    worker_log = celery_worker.parent / "worker.log"
    beta_line = f"send_invitation_email[{beta_result.id}] succeeded"
    wait_until(lambda: any("worker@example.test" in mail for mail in mails()), timeout=30, what="alpha's e-mail")
    wait_until(lambda: beta_line in worker_log.read_text(), timeout=30, what="beta's task to run")

    # Beta's task ran in beta's schema, found no such invitation and sent nothing ("False");
    # the one mail is alpha's own, queued by invite_user on commit.
    records = [json.loads(line) for line in worker_log.read_text().splitlines() if line.startswith("{")]
    beta_run = next(r for r in records if beta_line in r["message"])
    assert (beta_run["tenant"], beta_run["data"]["return_value"]) == ("beta", "False")
    assert len(mails()) == 1
    assert f"http://{alpha.host}/invitations/{token}/" in mails()[0]


def test_log_lines_carry_tenant_and_request_id(alpha: TenantFixture, caplog):
    caplog.handler.addFilter(RequestContextFilter())
    caplog.set_level(logging.WARNING, logger="django.request")

    alpha.client().get("/settings/users/9999/", headers={"X-Request-ID": "trace-42"})

    record = next(r for r in caplog.records if r.name == "django.request")
    assert (record.tenant, record.request_id, record.status_code) == ("alpha", "trace-42", 404)


def test_sentry_events_are_tagged_and_scrubbed(alpha: TenantFixture):
    event = {
        "request": {
            "data": {"password": "x"},
            "cookies": {"sessionid": "s"},
            "headers": {"Cookie": "sessionid=s", "Authorization": "Bearer t", "Accept": "text/html"},
        },
        "user": {"id": "7", "email": "admin@example.test", "ip_address": "10.0.0.1"},
        "exception": {"values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"secret": "s"}}]}}]},
    }

    with alpha.active():
        scrubbed = scrub_event(event)

    assert scrubbed["tags"]["tenant"] == "alpha"
    assert "data" not in scrubbed["request"]
    assert "cookies" not in scrubbed["request"]
    assert scrubbed["request"]["headers"] == {"Cookie": SCRUBBED, "Authorization": SCRUBBED, "Accept": "text/html"}
    assert scrubbed["user"] == {"id": "7"}
    assert "vars" not in scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]


def test_sentry_starts_only_with_a_dsn_and_without_personal_data(settings):
    import sentry_sdk

    settings.SENTRY_DSN = ""
    assert init_sentry() is False

    settings.SENTRY_DSN = "http://key@127.0.0.1:9/1"
    try:
        assert init_sentry() is True
        options = sentry_sdk.get_client().options
        assert options["send_default_pii"] in (None, False)
        assert options["data_collection"]["user_info"] is False
        assert options["data_collection"]["http_bodies"] == []
        assert options["data_collection"]["stack_frame_variables"] is False
        assert options["include_local_variables"] is False
        assert options["max_request_body_size"] == "never"
        assert options["before_send"] is scrub_event
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # back to an inactive client


def test_a_real_sentry_event_carries_the_tenant_and_no_secrets(alpha: TenantFixture, settings):
    """The SDK's own transport posts to a local receiver (the stand-in for sentry.io)."""
    import gzip
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import sentry_sdk

    received: list[bytes] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            # The SDK compresses with brotli when the package is installed (a dependency of the
            # load-test tools brings it), with gzip otherwise.
            encoding = self.headers.get("Content-Encoding")
            if encoding == "br":
                import brotli

                body = brotli.decompress(body)
            elif encoding == "gzip":
                body = gzip.decompress(body)
            received.append(body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SENTRY_DSN = f"http://publickey@127.0.0.1:{server.server_port}/1"

    card_number = secrets.token_hex(8)  # made at run time: it is in no source line Sentry may quote

    def charge_card(number: str) -> None:
        digits = number  # a local variable that must not leave the process
        raise ValueError(f"declined ({len(digits)} digits)")

    try:
        assert init_sentry() is True
        with alpha.active():
            try:
                charge_card(card_number)
            except ValueError as error:
                sentry_sdk.capture_exception(error)
        sentry_sdk.flush(timeout=5)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()
        server.shutdown()

    envelope = b"".join(received).decode()
    assert '"tenant":"alpha"' in envelope.replace(" ", "")
    assert "declined (16 digits)" in envelope
    assert card_number not in envelope
