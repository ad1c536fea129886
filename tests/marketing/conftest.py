"""Marketing test helpers."""

from __future__ import annotations

from tests.sales.catalog.conftest import make_user  # noqa: F401 - a fixture of these tests too
