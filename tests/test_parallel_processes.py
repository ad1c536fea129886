"""Each pytest-xdist process of a run has its own broker, cache and files (crm_platform/settings/test.py)."""

from __future__ import annotations

import os
from pathlib import Path

import redis
from django.conf import settings
from kombu import Connection

from crm_platform.celery import app as celery_app
from crm_platform.settings.base import _redis_database
from crm_platform.settings.test import broker_database
from tests.scheduling import LONGEST_FILES, handout_order, is_browser_unit, unit_of


def _database_of(broker_url: str) -> int:
    with Connection(broker_url) as connection:
        return int(connection.default_channel.client.connection_pool.connection_kwargs["db"])


def test_a_broker_url_for_another_database_reaches_that_database() -> None:
    """kombu ignores a ``db`` parameter on a unix socket (it would connect to database 0)."""
    url = broker_database(settings.REDIS_URL, 9)
    assert _database_of(url) == 9
    with Connection(url) as connection:
        connection.default_channel.client.set("relata-test-broker-probe", "x", ex=60)
    probe = redis.Redis.from_url(_redis_database(settings.REDIS_URL, 9))
    assert probe.get("relata-test-broker-probe") == b"x"
    probe.delete("relata-test-broker-probe")


def test_this_process_uses_its_own_broker_and_cache_databases() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    broker_db = _database_of(str(celery_app.conf.broker_url))
    cache_db = redis.Redis.from_url(str(settings.CACHES["default"]["LOCATION"])).connection_pool.connection_kwargs["db"]
    if not worker:
        assert (broker_db, cache_db) == (0, 1)
        return
    number = int(worker.removeprefix("gw"))
    assert (broker_db, cache_db) == (2 + 2 * number, 3 + 2 * number)
    assert f"xdist/{worker}" in str(settings.PRIVATE_FILES_ROOT)


def test_the_longest_files_go_first_and_the_browser_files_last_in_their_collected_order() -> None:
    units = {
        "tests/browser/test_b.py": {"b": False},
        "tests/a/test_small.py": {"x": False},
        "tests/browser/test_a.py": {f"a{n}": False for n in range(50)},
        "tests/a/test_many.py": {f"m{n}": False for n in range(9)},
        LONGEST_FILES[1]: {"l1": False},
        "tests/browser/test_c.py": {f"c{n}": False for n in range(3)},
        LONGEST_FILES[0]: {"l0": False},
    }
    assert handout_order(units) == [
        LONGEST_FILES[0], LONGEST_FILES[1], "tests/a/test_many.py", "tests/a/test_small.py",
        "tests/browser/test_b.py", "tests/browser/test_a.py", "tests/browser/test_c.py",
    ]  # fmt: skip
    assert unit_of("tests/browser/test_x.py::test_y") == "tests/browser/test_x.py"
    assert unit_of("tests/a/test_small.py::test_z[1]") == "tests/a/test_small.py"
    assert is_browser_unit("tests/browser/test_x.py")
    assert not is_browser_unit("tests/browser_like/test_x.py")


def test_every_file_named_as_longest_exists() -> None:
    """A renamed file would silently lose its early place."""
    root = Path(__file__).resolve().parent.parent
    assert [path for path in LONGEST_FILES if not (root / path).is_file()] == []
