"""The consent and scoring records the API sweeps walk (documented responses): one of each to
read and change, another to delete, and what the creates need."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from modules.marketing.consent.models import ConsentEvent
from modules.marketing.consent.services import record_consent, suppress
from modules.marketing.models import Topic
from modules.marketing.scoring.models import Score, ScoreThreshold
from modules.marketing.scoring.services.rules import save_rule
from tests.factories import ContactFactory

# The bodies of the creates (POST /<resource>/), given the records below.
BODIES = {
    "topics": lambda r: {"key": "documented-topic", "name": "Documented topic"},
    "consents": lambda r: {"contact": r["consent_contact"].pk, "topic": r["topics"].pk, "status": "granted",
                           "proof": {"note": "Documented"}},
    "suppressions": lambda r: {"email": "documented@suppressed.example", "detail": "Documented"},
    "scoring-rules": lambda r: {"name": "Documented rule", "kind": "behaviour", "event_type": "form.submitted",
                                "points": 5},
    "score-thresholds": lambda r: {"name": "Documented threshold", "points": 40},
}  # fmt: skip
BULK_NAMES = {"topics": {"key": "bulk-topic", "name": "Bulk topic"}}


def consent_and_scoring_records(owner: Any) -> dict[str, Any]:
    contact = ContactFactory(owner=owner, email="consenting@documented.example")
    topic = Topic.objects.create(key="documented", name="Documented")
    consent = record_consent(contact, topic, granted=True, source="form", proof={"note": "Documented"})
    behaviour = {"kind": "behaviour", "event_type": "form.submitted", "points": 1}
    return {
        "topics": topic,
        "delete:topics": Topic.objects.create(key="unused", name="Unused"),
        "consent_contact": ContactFactory(owner=owner, email="new-consent@documented.example"),
        "consents": consent,
        "consent-events": ConsentEvent.objects.filter(contact=contact).first(),
        "suppressions": suppress("kept@suppressed.example", reason="manual", source="documented"),
        "delete:suppressions": suppress("removed@suppressed.example", reason="manual", source="documented"),
        "scoring-rules": save_rule(None, {"name": "Kept rule", **behaviour}, by=owner),
        "delete:scoring-rules": save_rule(None, {"name": "Deleted rule", **behaviour}, by=owner),
        "score-thresholds": ScoreThreshold.objects.create(name="Kept threshold", points=10),
        "delete:score-thresholds": ScoreThreshold.objects.create(name="Deleted threshold", points=20),
        "lead-scores": Score.objects.create(contact=contact, fit=0, behaviour=1, total=1, updated_at=timezone.now()),
    }
