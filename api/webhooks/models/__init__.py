from api.webhooks.models.delivery import Delivery, DeliveryAttempt
from api.webhooks.models.endpoint import EndpointSecret, WebhookEndpoint

__all__ = ["Delivery", "DeliveryAttempt", "EndpointSecret", "WebhookEndpoint"]
