"""Workflow rules on consent: "Subscribed to a topic" fires for that topic's consent only;
"Unsubscribed from a topic" also fires when the contact unsubscribes from everything."""

from __future__ import annotations

from customization.workflows.models import WorkflowRun
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentSource
from modules.marketing.consent.services import record_consent, suppress
from tests.customization.workflows.engine.conftest import drive, make_rule
from tests.factories import ContactFactory
from tests.marketing.consent.conftest import make_topic
from tests.tenancy import TenantFixture

MARK = [{"type": "update_field", "field": "description", "value": "fired"}]


def test_consent_triggers_fire_for_their_topic(alpha: TenantFixture) -> None:
    with alpha.active():
        news, events = make_topic(), make_topic("events", "Events")
        joined = make_rule(entity="contact", trigger="consent_granted", trigger_config={"id": news.pk}, actions=MARK)
        left = make_rule(entity="contact", trigger="consent_withdrawn", trigger_config={"id": news.pk}, actions=MARK)
        other = ContactFactory(email="other@example.com")
        record_consent(other, events, granted=True, source=ConsentSource.FORM, proof={})
        drive()
        assert not WorkflowRun.objects.exists()

        contact = ContactFactory(email="ana@example.com")
        record_consent(contact, news, granted=True, source=ConsentSource.FORM, proof={})
        drive()
        assert list(WorkflowRun.objects.values_list("rule", "record_id")) == [(joined.pk, contact.pk)]

        suppress("ana@example.com", reason=SuppressionReason.UNSUBSCRIBED, source=ConsentSource.UNSUBSCRIBE_LINK)
        drive()
        assert WorkflowRun.objects.filter(rule=left, record_id=contact.pk).count() == 1
