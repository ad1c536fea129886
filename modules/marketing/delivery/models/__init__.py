from modules.marketing.delivery.models.recipient import Click, Recipient
from modules.marketing.delivery.models.send import DeliverySettings, Send

__all__ = ["Click", "DeliverySettings", "Recipient", "Send"]
