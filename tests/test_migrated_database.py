"""The kept migrated database is reused only while what built it is unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import migrated_database


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text("operations = []\n")
    (tmp_path / "app" / "views.py").write_text("VIEW = 1\n")
    (tmp_path / "tenants").mkdir()
    (tmp_path / "tenants" / "provisioning.py").write_text("STEP = 1\n")
    (tmp_path / "var" / "migrations").mkdir(parents=True)
    monkeypatch.setattr(migrated_database, "BASE_DIR", tmp_path)
    return tmp_path


def test_the_key_follows_migrations_and_provisioning_but_not_other_code(project: Path) -> None:
    first = migrated_database.key()
    assert migrated_database.key() == first

    (project / "app" / "views.py").write_text("VIEW = 2\n")
    (project / "var" / "migrations" / "0001_generated.py").write_text("ignored = True\n")
    assert migrated_database.key() == first

    (project / "app" / "migrations" / "0002_field.py").write_text("operations = ['AddField']\n")
    second = migrated_database.key()
    assert second != first

    (project / "tenants" / "provisioning.py").write_text("STEP = 2\n")
    assert migrated_database.key() not in {first, second}


def test_create_db_or_the_environment_turn_the_copy_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RELATA_TEST_DB_CACHE", raising=False)
    assert migrated_database.enabled(create_db_option=False)
    assert not migrated_database.enabled(create_db_option=True)
    monkeypatch.setenv("RELATA_TEST_DB_CACHE", "0")
    assert not migrated_database.enabled(create_db_option=False)
