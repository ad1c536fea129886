from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingScoringConfig(AppConfig):
    """Lead scoring: fit and behaviour rules, scores kept per contact and lead, thresholds."""

    name = "modules.marketing.scoring"
    label = "marketing_scoring"
    verbose_name = "Marketing: lead scoring"

    def ready(self) -> None:
        from customization.events.catalogue import EventGroup, register_event_types
        from customization.events.dispatcher import register_consumer
        from modules.contacts.record_cards import RecordCard, register_record_card
        from modules.marketing.scoring import dashboard_widgets, list_columns, segment_condition, workflows
        from modules.marketing.scoring.consumer import consume
        from modules.marketing.scoring.services.compute import THRESHOLD_EVENT

        # Scores follow the events that change them (no sweep); see consumer.py.
        register_consumer("marketing-scoring", consume)
        workflows.register()
        register_event_types(
            EventGroup(
                "score", _("Lead score"), ((THRESHOLD_EVENT, _("threshold reached (contact or lead)")),), "threshold_id"
            )
        )
        segment_condition.register()
        list_columns.register()
        dashboard_widgets.register()
        register_record_card(
            RecordCard(key="marketing-score", subjects=("contact", "lead"), url_name="marketing-scoring:card",
                       visible=list_columns.card_visible)
        )  # fmt: skip
