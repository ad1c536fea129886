from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "modules.marketing"
    label = "marketing"
    verbose_name = "Marketing"

    def ready(self) -> None:
        # Workflows and record pages read campaigns through their registries, never importing this module.
        from modules.contacts.record_cards import RecordCard, register_record_card
        from modules.marketing import exports, workflows
        from modules.marketing.views.members import campaigns_card_visible

        workflows.register()
        exports.register()
        register_record_card(
            RecordCard(
                key="marketing-campaigns",
                subjects=("contact", "lead"),
                url_name="marketing:record-campaigns",
                visible=campaigns_card_visible,
            )
        )
