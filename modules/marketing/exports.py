"""The marketing lists' exports: every marketing list on the list framework (campaigns, segments,
e-mails, surveys, form submissions, a send's recipients) is offered as CSV and XLSX by the shared
list exports (``modules.dataio.exports``), with the list's own rows, filters and order, behind
``data.export`` and the list's view permission. Registered from the module's AppConfig.ready()."""

from __future__ import annotations

from django.http import Http404

from identity.models import User
from modules.lists.definition import ListDefinition


def _recipients_of(parent: str, user: User) -> ListDefinition:
    """The recipients' list bound to the e-mail named by ``parent`` (every marketer sees every
    e-mail, as on the send page)."""
    from modules.marketing.delivery.lists import for_email
    from modules.marketing.models import MarketingEmail

    email = MarketingEmail.objects.filter(pk=int(parent)).first() if parent.isdigit() and len(parent) < 19 else None
    if email is None:
        raise Http404
    return for_email(email)


def register() -> None:
    from modules.dataio.exports.list_sources import list_source
    from modules.dataio.exports.sources import register_list_source
    from modules.marketing.delivery.lists import RECIPIENTS
    from modules.marketing.email.lists import EMAILS
    from modules.marketing.lists import CAMPAIGNS
    from modules.marketing.segments.lists import SEGMENTS
    from modules.marketing.surveys.lists import SURVEYS
    from modules.marketing.webforms.lists import ALL_SUBMISSIONS

    for definition in (CAMPAIGNS, SEGMENTS, EMAILS, SURVEYS, ALL_SUBMISSIONS):
        register_list_source(list_source(definition, module="marketing"))
    register_list_source(list_source(RECIPIENTS, module="marketing", bind=_recipients_of))
