"""Segment conditions registered by other apps: e-mail engagement (delivery) and the lead score
(scoring). Each compiles into the segment's one query; membership follows opens, clicks and score
changes through the real outbox dispatcher; "in the last N days" joins the daily rebuild; the
builder offers them with their options; wrong parameters are named by path."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customization.events.dispatcher import dispatch_pending
from modules.contacts.models import Contact
from modules.contacts.services.contacts import update_contact
from modules.marketing.choices import SegmentKind
from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.delivery.services.engagement import record_bounce, record_click, record_open
from modules.marketing.models import MarketingEmail, Segment, SegmentMember
from modules.marketing.scoring.models import Score
from modules.marketing.segments import services
from modules.marketing.segments.rules import clean_rules, matching_contacts
from modules.marketing.segments.tasks import time_relative_segment_ids
from tests.marketing.delivery.conftest import marketing_email
from tests.marketing.scoring.conftest import fit_rule
from tests.marketing.segments.conftest import People
from tests.tenancy import TenantFixture


def _rules(*conditions: dict[str, Any], match: str = "all") -> dict[str, Any]:
    return {"match": match, "conditions": list(conditions)}


def _sent(email: MarketingEmail) -> MarketingEmail:
    Send.objects.create(email=email, started_at=timezone.now())
    return email


def _recipient(email: MarketingEmail, contact: Contact, *, days_ago: float, **values: Any) -> Recipient:
    return Recipient.objects.create(
        email=email, contact=contact, address=contact.email or f"c{contact.pk}@nowhere.example",
        state=values.pop("state", RecipientState.SENT), message_id=f"<{email.pk}.{contact.pk}@alpha.example>",
        sent_at=timezone.now() - timedelta(days=days_ago), **values,
    )  # fmt: skip


def _engagement(people: People) -> tuple[MarketingEmail, MarketingEmail]:
    """Spring went to Ana (opened 3 days ago), Bob (clicked 40 days ago) and Cleo (bounced);
    autumn went to Dan 2 days ago, who did nothing; Eve got nothing."""
    now = timezone.now()
    spring = _sent(marketing_email(None, name="Spring"))
    autumn = _sent(marketing_email(None, name="Autumn"))
    _recipient(spring, people.ana, days_ago=4, opened_at=now - timedelta(days=3), opens=2)
    _recipient(
        spring, people.bob, days_ago=41, opened_at=now - timedelta(days=40), first_click_at=now - timedelta(days=40)
    )
    _recipient(spring, people.cleo, days_ago=4, state=RecipientState.BOUNCED)
    _recipient(autumn, people.dan, days_ago=2)
    return spring, autumn


def _ids(rules: dict[str, Any]) -> set[int]:
    return set(matching_contacts(clean_rules(rules)).values_list("pk", flat=True))


def _email_condition(op: str, **params: Any) -> dict[str, Any]:
    return {"type": "marketing_email", "op": op, **params}


def test_engagement_conditions_select_by_what_was_done_when_and_with_which_e_mail(
    alpha: TenantFixture, people: People
) -> None:
    with alpha.active():
        spring, autumn = _engagement(people)
        ana, bob, cleo, dan = people.ana.pk, people.bob.pk, people.cleo.pk, people.dan.pk

        assert _ids(_rules(_email_condition("sent"))) == {ana, bob, cleo, dan}  # a bounce was sent too
        assert _ids(_rules(_email_condition("sent", days=7))) == {ana, cleo, dan}
        assert _ids(_rules(_email_condition("sent", email=str(autumn.pk)))) == {dan}
        assert _ids(_rules(_email_condition("opened"))) == {ana, bob}
        assert _ids(_rules(_email_condition("opened", days=30))) == {ana}
        assert _ids(_rules(_email_condition("clicked"))) == {bob}
        assert _ids(_rules(_email_condition("clicked", days=30))) == set()
        assert _ids(_rules(_email_condition("clicked", email=str(autumn.pk)))) == set()
        assert _ids(_rules(_email_condition("bounced", email=str(spring.pk), days=30))) == {cleo}
        # Combined with a field and negated through an "any" group of the complement.
        paris_openers = _rules(
            {"type": "contact", "field": "city", "op": "eq", "value": "Paris"}, _email_condition("opened")
        )
        assert _ids(paris_openers) == {ana}


def test_a_segment_on_engagement_is_one_query_of_exists_subqueries(alpha: TenantFixture, people: People) -> None:
    with alpha.active():
        _engagement(people)
        rules = clean_rules(
            _rules(
                _email_condition("opened", days=30),
                _email_condition("bounced"),
                {"type": "lead_score", "op": "gte", "points": "10"},
                match="any",
            )
        )
        matching = matching_contacts(rules).values_list("pk", flat=True)  # the catalogues are read here
        with CaptureQueriesContext(connection) as queries:
            found = set(matching)

        assert found == {people.ana.pk, people.cleo.pk}
        assert len(queries.captured_queries) == 1
        sql = queries.captured_queries[0]["sql"]
        assert sql.count("EXISTS") == 3
        assert Recipient._meta.db_table in sql
        assert Score._meta.db_table in sql


def test_membership_follows_opens_clicks_and_bounces_through_the_dispatcher(
    alpha: TenantFixture, people: People
) -> None:
    with alpha.active():
        spring, _autumn = _engagement(people)
        recent_openers = services.create_segment(
            by=None, name="Openers", kind=SegmentKind.DYNAMIC, rules=_rules(_email_condition("opened", days=7))
        )
        clickers = services.create_segment(
            by=None, name="Clickers", kind=SegmentKind.DYNAMIC,
            rules=_rules(_email_condition("clicked", email=str(spring.pk))),
        )  # fmt: skip
        bounced = services.create_segment(
            by=None, name="Bounced", kind=SegmentKind.DYNAMIC, rules=_rules(_email_condition("bounced"))
        )
        for segment in (recent_openers, clickers, bounced):
            services.rebuild(segment)
        eve_row = _recipient(spring, people.eve, days_ago=1)
        dan_row = Recipient.objects.get(contact=people.dan)

        record_click(eve_row.pk, "https://example.com/news")  # a click is an open too
        record_bounce(dan_row, hard=True, source="test")
        dispatch_pending()

        def members(segment: Segment) -> set[int]:
            return set(SegmentMember.objects.filter(segment=segment).values_list("contact_id", flat=True))

        assert members(recent_openers) == {people.ana.pk, people.eve.pk}
        assert members(clickers) == {people.bob.pk, people.eve.pk}
        assert members(bounced) == {people.cleo.pk, people.dan.pk}
        assert Segment.objects.get(pk=recent_openers.pk).member_count == 2


def test_only_last_n_days_conditions_join_the_daily_rebuild(alpha: TenantFixture, people: People) -> None:
    with alpha.active():
        _engagement(people)
        ever = services.create_segment(
            by=None, name="Ever opened", kind=SegmentKind.DYNAMIC, rules=_rules(_email_condition("opened"))
        )
        recent = services.create_segment(
            by=None, name="Opened lately", kind=SegmentKind.DYNAMIC, rules=_rules(_email_condition("opened", days=2))
        )
        score = services.create_segment(
            by=None, name="Scored", kind=SegmentKind.DYNAMIC,
            rules=_rules({"type": "lead_score", "op": "gte", "points": 5}),
        )  # fmt: skip

        assert recent.pk in time_relative_segment_ids()
        assert ever.pk not in time_relative_segment_ids()
        assert score.pk not in time_relative_segment_ids()

        # Ana opened three days ago: "in the last 2 days" no longer holds her after the rebuild.
        record_open(Recipient.objects.get(contact=people.ana).pk, at=timezone.now() - timedelta(days=1))
        services.rebuild(recent)
        assert not SegmentMember.objects.filter(segment=recent).exists()


def test_lead_score_conditions_count_a_missing_score_as_zero(alpha: TenantFixture, people: People) -> None:
    with alpha.active():
        now = timezone.now()
        Score.objects.create(contact=people.ana, fit=30, behaviour=5, total=35, updated_at=now)
        Score.objects.create(contact=people.bob, fit=10, behaviour=0, total=10, updated_at=now)
        Score.objects.create(contact=people.cleo, fit=0, behaviour=-5, total=-5, updated_at=now)
        everyone = {contact.pk for contact in people.all()}

        assert _ids(_rules({"type": "lead_score", "op": "gte", "points": 10})) == {people.ana.pk, people.bob.pk}
        assert _ids(_rules({"type": "lead_score", "op": "gte", "points": "36"})) == set()
        assert _ids(_rules({"type": "lead_score", "op": "lte", "points": 10})) == everyone - {people.ana.pk}
        assert _ids(_rules({"type": "lead_score", "op": "gte", "points": 0})) == everyone - {people.cleo.pk}


def test_a_score_segment_follows_a_score_recomputed_by_the_scoring_consumer(
    alpha: TenantFixture, people: People
) -> None:
    with alpha.active():
        fit_rule("contact", "job_title", "eq", "CTO", 40)
        segment = services.create_segment(
            by=None,
            name="Hot",
            kind=SegmentKind.DYNAMIC,
            rules=_rules({"type": "lead_score", "op": "gte", "points": 40}),
        )
        services.rebuild(segment)
        assert not SegmentMember.objects.filter(segment=segment).exists()

        update_contact(people.bob, by=None, job_title="CTO")
        dispatch_pending()

        assert list(SegmentMember.objects.filter(segment=segment).values_list("contact_id", flat=True)) == [
            people.bob.pk
        ]
        assert Score.objects.get(contact=people.bob).total == 40


@pytest.mark.parametrize(
    ("condition", "path"),
    [
        (_email_condition("opened", days=0), "rules.conditions[0].days"),
        (_email_condition("opened", days="9" * 30), "rules.conditions[0].days"),
        (_email_condition("opened", email="999999"), "rules.conditions[0].email"),
        (_email_condition("read"), "rules.conditions[0].op"),
        (_email_condition("clicked", email="x\x00"), "rules.conditions[0].email"),
        ({"type": "lead_score", "op": "gte"}, "rules.conditions[0].points"),
        ({"type": "lead_score", "op": "gte", "points": -3}, "rules.conditions[0].points"),
        ({"type": "lead_score", "op": "more", "points": 3}, "rules.conditions[0].op"),
    ],
)
def test_wrong_parameters_are_named_by_path(
    alpha: TenantFixture, people: People, condition: dict[str, Any], path: str
) -> None:
    with alpha.active():
        with pytest.raises(ValidationError) as raised:
            clean_rules(_rules(condition))
        assert path in raised.value.message_dict


def test_the_builder_offers_the_conditions_with_their_options(alpha: TenantFixture, people: People) -> None:
    with alpha.active():
        _engagement(people)
        draft = marketing_email(None, name="Never sent")

    page = alpha.client().get(reverse("marketing-segments:new"))

    assert page.status_code == 200
    found = re.search(r'id="segment-builder-config" type="application/json">(.*?)</script>', page.content.decode())
    assert found is not None
    config = json.loads(html.unescape(found.group(1)))
    kinds = {condition["key"]: condition for condition in config["conditions"]}
    engagement = kinds["marketing_email"]
    assert [op["value"] for op in engagement["ops"]] == ["sent", "opened", "clicked", "bounced"]
    email_param = next(param for param in engagement["params"] if param["name"] == "email")
    offered = {choice["label"] for choice in email_param["choices"]}
    assert {"Spring", "Autumn"} <= offered
    assert draft.name not in offered
    assert email_param["optional"] is True
    assert [op["value"] for op in kinds["lead_score"]["ops"]] == ["gte", "lte"]
    assert {"value": "marketing_email", "label": "Marketing e-mails"} in config["types"]
