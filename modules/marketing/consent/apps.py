from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConsentConfig(AppConfig):
    name = "modules.marketing.consent"
    label = "marketing_consent"
    verbose_name = "Marketing consent"

    def ready(self) -> None:
        from customization.events.catalogue import EventGroup, register_event_types
        from modules.contacts.record_cards import RecordCard, register_record_card
        from modules.marketing.consent import workflows
        from modules.marketing.consent.services.records import EVENT_TYPE
        from modules.marketing.consent.views.staff_contact import card_visible

        workflows.register()
        register_event_types(EventGroup("consent", _("Consent"), ((EVENT_TYPE, _("consent changed")),), "topic_id"))
        register_record_card(
            RecordCard(key="marketing-consent", subjects=("contact",), url_name="marketing-consent:contact-panel",
                       visible=card_visible)
        )  # fmt: skip
