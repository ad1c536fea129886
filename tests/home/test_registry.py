"""The home page's registries: what decides which cards and steps appear, and the layering rule."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from modules.home import registry
from modules.home.registry import ChecklistItem, HomeCard, RegistryError

HOME_PACKAGE = Path(registry.__file__).parent


class FakeUser:
    def __init__(self, *perms: str) -> None:
        self.perms = set(perms)

    def has_perm(self, code: str) -> bool:
        return code in self.perms


class FakeTenant:
    def __init__(self, *modules: str) -> None:
        self.enabled_modules = list(modules)


@pytest.fixture
def marketing_card():
    card = HomeCard(
        key="test-campaigns",
        title="Campaigns",
        template="home/cards/recent.html",
        context=lambda request, user, scope: {},
        module="marketing",
        permission="marketing.change",
        order=1,
    )
    registry.register_card(card)
    yield card
    registry.unregister(card.key)


def test_a_card_shows_only_where_its_module_is_enabled_and_its_permission_held(marketing_card):
    allowed = FakeUser("marketing.view", "marketing.change")

    assert marketing_card in registry.cards_for(FakeTenant("marketing"), allowed)
    assert marketing_card not in registry.cards_for(FakeTenant("sales"), allowed)
    assert marketing_card not in registry.cards_for(FakeTenant("marketing"), FakeUser("marketing.view"))
    assert marketing_card not in registry.cards_for(FakeTenant("marketing"), FakeUser("marketing.change"))


def test_cards_come_in_their_order(marketing_card):
    keys = [
        card.key
        for card in registry.cards_for(
            FakeTenant("marketing"), FakeUser("marketing.view", "marketing.change", "activities.view", "contacts.view")
        )
    ]

    assert keys[0] == "test-campaigns"
    assert keys.index("agenda") < keys.index("notifications")


def test_a_later_module_adds_a_checklist_step():
    item = ChecklistItem(
        key="test-mailbox",
        title="Connect a mailbox",
        description="Send and receive e-mail from the records.",
        url_name="shell:home",
        done=lambda: False,
        module="marketing",
        order=50,
    )
    registry.register_checklist_item(item)
    try:
        assert item in registry.checklist_for(FakeTenant("marketing"))
        assert item not in registry.checklist_for(FakeTenant())
    finally:
        registry.unregister(item.key)


def test_registering_another_card_under_a_taken_key_or_an_unknown_module_is_refused(marketing_card):
    with pytest.raises(RegistryError):
        registry.register_card(HomeCard("test-campaigns", "Other", "x.html", lambda *args: None))
    with pytest.raises(RegistryError):
        registry.register_card(HomeCard("test-zeppelin", "Zeppelin", "x.html", lambda *args: None, module="zeppelin"))


def test_the_home_package_imports_no_module_app():
    """Modules plug in through the registries; the home page's code never names one."""
    module_apps = ("modules.contacts", "modules.activities", "modules.sales", "modules.dataio")
    offenders = []
    for path in HOME_PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.startswith(module_apps)]
    assert offenders == []
