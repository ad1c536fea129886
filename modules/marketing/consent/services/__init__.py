"""Consent and subscriptions: the only writers of consent, its history and the suppression list,
and the reads every send asks (re-exported here as the module's interface)."""

from modules.marketing.consent.links import list_unsubscribe_headers, unsubscribe_url
from modules.marketing.consent.selectors import may_email, subscribed
from modules.marketing.consent.services.consent import record_consent, withdraw
from modules.marketing.consent.services.opt_in import confirm_opt_in, start_double_opt_in
from modules.marketing.consent.services.suppression import suppress, unsuppress

__all__ = [
    "confirm_opt_in",
    "list_unsubscribe_headers",
    "may_email",
    "record_consent",
    "start_double_opt_in",
    "subscribed",
    "suppress",
    "unsubscribe_url",
    "unsuppress",
    "withdraw",
]
