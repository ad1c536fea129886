"""The list framework knows no record type: it imports the shared tags and saved views of
``contacts`` and nothing of the modules that declare lists (they hand it their definitions)."""

import ast
from pathlib import Path

import modules.lists

RECORD_MODULES = ("modules.sales", "modules.activities", "modules.dataio", "modules.contacts.views",
                  "modules.contacts.lists")  # fmt: skip


def test_the_list_framework_imports_no_record_module():
    imported = set()
    for path in Path(modules.lists.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)

    assert "modules.contacts.models" in imported  # the check reads the framework's imports
    assert not [name for name in imported if name.startswith(RECORD_MODULES)]
