"""Only ``billing/stripe_api.py`` imports Stripe's SDK: the rest of the project sees plain data."""

from __future__ import annotations

import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
PACKAGES = ("crm_platform", "tenants", "identity", "modules", "customization", "billing", "api")
ALLOWED = {"billing/stripe_api.py"}


def _imports_stripe(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "stripe" for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "stripe":
            return True
    return False


def test_only_the_stripe_api_module_imports_the_sdk() -> None:
    importing = {
        str(path.relative_to(BASE_DIR))
        for package in PACKAGES
        for path in (BASE_DIR / package).rglob("*.py")
        if _imports_stripe(path.read_text(encoding="utf-8"))
    }

    assert importing == ALLOWED
