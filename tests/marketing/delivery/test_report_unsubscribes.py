"""The send report's unsubscribes: a recipient who, after the message went out, unsubscribed from
everything or from the e-mail's topic only (through a link or the preference page) counts once;
another topic, a withdrawal before the send, one recorded by staff and a recipient never handed
over do not."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from modules.contacts.models import Contact
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentSource
from modules.marketing.consent.models import ConsentEvent
from modules.marketing.consent.services import record_consent, suppress
from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.selectors.report import figures
from modules.marketing.models import Topic
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.tenancy import TenantFixture


def _leave(contact: Contact, topic: Topic, source: str = ConsentSource.UNSUBSCRIBE_LINK) -> None:
    record_consent(contact, topic, granted=True, source=ConsentSource.FORM, proof={})
    record_consent(contact, topic, granted=False, source=source, proof={})


def test_topic_only_unsubscribes_count_once_per_recipient(alpha: TenantFixture) -> None:
    with alpha.active():
        news = Topic.objects.create(key="news", name="News")
        offers = Topic.objects.create(key="offers", name="Offers")
        segment, people = audience(9)
        email = marketing_email(segment, topic=news)
        sent_at = timezone.now() - timedelta(days=1)
        Send.objects.create(email=email, started_at=sent_at)
        rows = [
            Recipient.objects.create(
                email=email,
                contact=contact,
                address=contact.email,
                state=RecipientState.SENT,
                message_id=f"<{index}@alpha.example>",
                sent_at=sent_at,
            )
            for index, contact in enumerate(people)
        ]
        everything, topic_only, other_topic, before, both, by_staff, page, skipped, quiet = people
        suppress(everything.email, reason=SuppressionReason.UNSUBSCRIBED, source=ConsentSource.UNSUBSCRIBE_LINK)
        _leave(topic_only, news)
        _leave(other_topic, offers)
        _leave(before, news)
        ConsentEvent.objects.filter(contact=before).update(occurred_at=sent_at - timedelta(days=2))
        _leave(both, news)
        suppress(both.email, reason=SuppressionReason.UNSUBSCRIBED, source=ConsentSource.PREFERENCE_PAGE)
        _leave(by_staff, news, ConsentSource.STAFF)
        _leave(page, news, ConsentSource.PREFERENCE_PAGE)
        _leave(skipped, news)
        Recipient.objects.filter(pk=rows[7].pk).update(state=RecipientState.SKIPPED, sent_at=None)
        assert quiet.pk == rows[8].contact_id

        result = figures(email.pk)

        # everything, topic_only, both and page: 4 of the 8 handed over.
        assert (result.unsubscribes, result.sent) == (4, 8)
        assert result.rate(result.unsubscribes) == "50.0"

    report = alpha.client().get(reverse("marketing-delivery:email", args=[email.pk])).content.decode()
    assert 'data-testid="figure-unsubscribes">4<' in report
