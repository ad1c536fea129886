"""What an erased contact leaves in web-form submissions: the rows stay for the form's figures, without
the values the visitor typed and without where they came from. A submission is the contact's when it
is linked to the contact or carries the contact's e-mail address (a lead's submission, say)."""

from __future__ import annotations

from django.db.models import Q

from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import SubjectData, register_subject_data
from modules.marketing.webforms.models import Submission


def erase(contact: Contact, _by: User | None) -> int:
    mine = Q(contact=contact)
    if contact.email:
        mine |= Q(data__email__iexact=contact.email)
    return Submission.objects.filter(mine).update(
        data={}, consents=[], contact=None, ip_address=None, user_agent="", referrer="", page_url=""
    )


def register() -> None:
    register_subject_data(SubjectData(key="web_form_submissions", erase=erase))
