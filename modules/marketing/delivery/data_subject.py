"""What an erased contact leaves in marketing sends: the recipient rows stay for the e-mails'
figures, without the address, the provider's id or an error naming it; one still waiting is
skipped, so nothing is sent to a person who is gone."""

from __future__ import annotations

from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import SubjectData, register_subject_data
from modules.marketing.delivery.choices import RecipientState, SkipReason
from modules.marketing.delivery.models import Recipient


def erase(contact: Contact, _by: User | None) -> int:
    rows = Recipient.objects.filter(contact=contact)
    rows.filter(state__in=[RecipientState.QUEUED, RecipientState.HELD]).update(
        state=RecipientState.SKIPPED, skip_reason=SkipReason.NO_ADDRESS
    )
    return rows.update(address="", provider_message_id="", error="")


def register() -> None:
    register_subject_data(SubjectData(key="marketing_recipients", erase=erase))
