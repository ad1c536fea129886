"""Two signups for one subdomain at the same moment: one wins, the other is told on the field."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db import connection, transaction
from django.test import Client

from billing.models import Subscription
from tenants.models import Tenant
from tenants.services.provisioning import TenantRequest, request_tenant
from tests.signup.conftest import PUBLIC_HOST, signup_data


def _post_in_thread(data: dict[str, str], results: list[Any], barrier: threading.Barrier | None = None) -> None:
    try:
        client = Client(HTTP_HOST=PUBLIC_HOST)
        if barrier is not None:
            barrier.wait(timeout=10)
        results.append(client.post("/signup/", data))
    finally:
        connection.close()


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Activity statistics are a snapshot per transaction: take a fresh one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


def test_two_signups_for_one_subdomain_at_once_one_wins(committed: None, eager_tasks: None):
    barrier = threading.Barrier(2)
    results: list[Any] = []
    threads = [
        threading.Thread(
            target=_post_in_thread,
            args=(signup_data("scratch-race", admin_email=f"person{number}@race.test"), results, barrier),
        )
        for number in range(2)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(response.status_code for response in results) == [302, 400]
    loser = next(response for response in results if response.status_code == 400).content.decode()
    assert 'data-testid="error-slug"' in loser
    tenant = Tenant.objects.get(slug="scratch-race")
    assert Subscription.objects.filter(tenant=tenant).count() == 1
    assert tenant.provisioning_state == "active"


def test_a_signup_that_loses_the_insert_gets_the_field_error_not_a_500(committed: None):
    """The other signup checked first and committed last: the unique index decides."""
    results: list[Any] = []
    before = Subscription.objects.count()
    thread = threading.Thread(target=_post_in_thread, args=(signup_data("scratch-photo"), results))
    try:
        with transaction.atomic():
            request_tenant(TenantRequest(name="First Ltd", slug="scratch-photo", admin_email="first@photo.test"))
            thread.start()
            deadline = time.monotonic() + 30
            while not (blocked := _waiting_for_a_lock()) and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        thread.join(timeout=60)

    assert blocked, "the second signup never reached the insert"
    assert [response.status_code for response in results] == [400]
    html = results[0].content.decode()
    assert "“scratch-photo” has just been taken." in html
    assert 'data-testid="error-slug"' in html
    assert list(Tenant.objects.filter(slug="scratch-photo").values_list("name", flat=True)) == ["First Ltd"]
    assert Subscription.objects.count() == before
