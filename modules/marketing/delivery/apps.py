from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingDeliveryConfig(AppConfig):
    name = "modules.marketing.delivery"
    label = "marketing_delivery"
    verbose_name = "Marketing delivery"

    def ready(self) -> None:
        from modules.marketing.delivery import dashboard_widgets, data_subject

        dashboard_widgets.register()
        data_subject.register()

        from customization.events.catalogue import EventGroup, register_event_types
        from modules.marketing.delivery.services.engagement import EVENTS

        # What recipients did with a marketing e-mail (the recipient's contact is the record).
        register_event_types(EventGroup("marketing_email", _("Marketing e-mail"), EVENTS, "email_id"))

        from modules.marketing.delivery import conditions

        # Segments may test e-mail engagement; the segments app offers what is registered.
        conditions.register()

        from billing.usage import register_monthly_count
        from modules.marketing.delivery.selectors.usage import messages_counted_since

        # The plan's monthly marketing e-mails are counted by billing through its registry.
        register_monthly_count("marketing_emails", messages_counted_since)

        from anymail.signals import tracking

        from modules.marketing.delivery.services.provider_events import on_tracking_event

        # Provider webhooks arrive through anymail's views; its signal hands us each event.
        tracking.connect(on_tracking_event, dispatch_uid="marketing_delivery_tracking")
