from __future__ import annotations

from typing import Any

import pytest

from tests.mail_server import smtp_server  # noqa: F401 - the fixture of these tests

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_root(tmp_path: Any, settings: Any) -> Any:
    """Files under a fresh directory (as under ``make run``)."""
    settings.PRIVATE_FILES_ROOT = tmp_path
    return tmp_path
