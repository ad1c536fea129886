from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The home page's framework: card and checklist registries, recent records, onboarding state."""

    name = "modules.home"
    label = "home"

    def ready(self) -> None:
        from modules.home import platform_cards

        platform_cards.register()
