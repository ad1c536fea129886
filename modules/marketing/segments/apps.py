from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _segments_card_visible(request: Any) -> bool:
    """A contact's "Segments" card: the tenant has marketing and the reader may view it."""
    from modules.registry import is_enabled

    return is_enabled(getattr(request, "tenant", None), "marketing") and request.user.has_perm("marketing.view")


class SegmentsConfig(AppConfig):
    name = "modules.marketing.segments"
    label = "marketing_segments"
    verbose_name = "Marketing: segments"

    def ready(self) -> None:
        from customization.events.catalogue import EventGroup, register_event_types
        from customization.events.dispatcher import register_consumer
        from modules.contacts.record_cards import RecordCard, register_record_card
        from modules.marketing.segments import (
            analytics_lists,
            consumer,
            contact_list,
            dashboard_widgets,
            membership,
            workflows,
        )
        from modules.marketing.segments.conditions import related

        related.register()
        register_record_card(
            RecordCard(key="segments", subjects=("contact",), url_name="marketing-segments:contact-card",
                       visible=_segments_card_visible)
        )  # fmt: skip
        workflows.register()
        dashboard_widgets.register()
        # The contact list (its bulk actions and exports) filtered to a segment's members.
        contact_list.register()
        # Analytics results (an RFM segment, customers at risk) can be saved as a static segment.
        analytics_lists.register()
        # The contact whose membership changed is the events' record.
        register_event_types(
            EventGroup("segment", _("Segment"), (
                (membership.ENTERED, _("contact entered")), (membership.LEFT, _("contact left")),
            ), "segment_id")
        )  # fmt: skip
        register_consumer(consumer.CONSUMER_NAME, consumer.consume)
