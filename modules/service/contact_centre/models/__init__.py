from modules.service.contact_centre.models.call import Call
from modules.service.contact_centre.models.csat import CsatSettings, CsatSurvey
from modules.service.contact_centre.models.settings import AgentPhone, SmsConsent, TelephonySettings
from modules.service.contact_centre.models.sms import SmsMessage

__all__ = ["AgentPhone", "Call", "CsatSettings", "CsatSurvey", "SmsConsent", "SmsMessage", "TelephonySettings"]
