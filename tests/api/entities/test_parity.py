"""The same filter finds the same records over REST and GraphQL: for every filter of every entity
description, a record that matches and one that does not, asked through both protocols."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import models
from django.utils import timezone
from graphene.utils.str_converters import to_camel_case
from graphql_relay import from_global_id, to_global_id

from api.entities import (
    ACTIVITY,
    ARTICLE,
    ASSIGNMENT_RULE,
    BUSINESS_CALENDAR,
    CALENDAR_HOLIDAY,
    CALL,
    CAMPAIGN,
    CAMPAIGN_MEMBER,
    CAMPAIGN_TOUCH,
    CANNED_RESPONSE,
    CASE,
    COLLATERAL_ITEM,
    COMPANY,
    CONSENT,
    CONSENT_EVENT,
    CONTACT,
    CSAT_ANSWER,
    DEAL,
    FORM_SUBMISSION,
    LEAD,
    LEAD_SCORE,
    MAIL_MESSAGE,
    MAIL_THREAD,
    MARKETING_EMAIL,
    MARKETING_EMAIL_RECIPIENT,
    MEETING_ATTENDEE,
    ORDER,
    PORTAL_USER,
    SCORE_THRESHOLD,
    SCORING_RULE,
    SEGMENT,
    SLA_POLICY,
    SMS_MESSAGE,
    SUPPRESSION,
    SURVEY,
    SURVEY_RESPONSE,
    WEB_FORM,
    EntityDescription,
    FilterKind,
)
from identity.models import Team, User
from modules.activities.models import ActivityAttendee
from modules.mailboxes.choices import MessageDirection
from modules.mailboxes.models import MailMessage, MailThread
from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.services import record_touch
from modules.marketing.collateral.services import archive_item, create_item
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.consent.services import record_consent, suppress
from modules.marketing.delivery.models import Recipient
from modules.marketing.email.services.emails import create_email
from modules.marketing.models import MarketingEmail, Segment, Topic
from modules.marketing.scoring.models import Score, ScoreThreshold
from modules.marketing.scoring.services.rules import save_rule
from modules.marketing.segments.services import add_to_list, create_segment
from modules.marketing.services.campaigns import add_members, create_campaign
from modules.marketing.surveys.models import Response
from modules.marketing.surveys.services.surveys import create_survey
from modules.marketing.webforms.models import Submission, WebForm
from modules.marketing.webforms.services.forms import create_form
from modules.sales.models import Order
from modules.sales.services.orders import create_order
from modules.service.contact_centre.models import Call, CsatSurvey, SmsMessage
from modules.service.desk.services.assignment import create_rule
from modules.service.desk.services.canned import create_canned_response
from modules.service.knowledge.choices import Visibility
from modules.service.knowledge.services.articles import create_article, publish_article
from modules.service.knowledge.services.categories import create_category
from modules.service.models import Case, CaseCategory, CaseStatus
from modules.service.portal.models import PortalUser
from modules.service.services.cases import create_case
from modules.service.services.statuses import seed_service
from modules.service.sla.models import CalendarHoliday
from modules.service.sla.services.calendars import add_holiday, save_calendar
from modules.service.sla.services.policies import save_policy
from tests.api.helpers import post_graphql
from tests.api.rest_crm.helpers import api_client
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    PipelineFactory,
    TagFactory,
)
from tests.mailboxes.sweep_data import sweep_mail_message
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture

Samples = dict[str, Any]
LONG_AGO = timedelta(days=30)


def tagged(record: models.Model) -> models.Model:
    record.tags.add(TagFactory(name="Parity"))  # type: ignore[attr-defined]
    return record


def company_records(rep: Any) -> tuple[models.Model, Samples]:
    match = tagged(
        CompanyFactory(
            name="Zanzibar Spice Traders", owner=rep, lifecycle_stage="customer", source="referral", country="PT",
            email="spice@zanzibar.example",
        )
    )  # fmt: skip
    return match, {
        "owner": rep, "lifecycle_stage": "customer", "tag": "parity", "email": "SPICE@zanzibar.example",
        "source": "referral", "country": "pt", "search": "zanzibar",
    }  # fmt: skip


def contact_records(rep: Any) -> tuple[models.Model, Samples]:
    company = CompanyFactory(name="Employer")
    match = tagged(
        ContactFactory(
            first_name="Quentin", last_name="Zamora", company=company, owner=rep, lifecycle_stage="customer",
            email="quentin@zamora.example",
        )
    )  # fmt: skip
    return match, {
        "company": company, "owner": rep, "lifecycle_stage": "customer", "tag": "PARITY",
        "email": "quentin@zamora.example", "search": "zamora",
    }  # fmt: skip


def lead_records(rep: Any) -> tuple[models.Model, Samples]:
    match = tagged(LeadFactory(first_name="Xavier", last_name="Quill", owner=rep, status="qualified", source="event"))
    return match, {
        "owner": rep, "status": "qualified", "source": "event", "tag": "parity", "email": match.email.upper(),  # type: ignore[attr-defined]
        "search": "quill",
    }  # fmt: skip


def deal_records(rep: Any) -> tuple[models.Model, Samples]:
    pipeline = PipelineFactory()
    stage = pipeline.stages.create(name="Only here", position=1, probability=10)
    company, contact = CompanyFactory(), ContactFactory()
    match = tagged(
        DealFactory(
            name="Yellowstone expansion", owner=rep, pipeline=pipeline, stage=stage, status="won", company=company,
            contact=contact, expected_close_date=date(2031, 5, 1),
        )
    )  # fmt: skip
    return match, {
        "owner": rep, "pipeline": pipeline, "stage": stage, "status": "won", "company": company,
        "contact": contact, "tag": "parity", "search": "yellowstone", "close_after": date(2031, 4, 1),
        "close_before": date(2031, 5, 1),
    }  # fmt: skip


def activity_records(rep: Any) -> tuple[models.Model, Samples]:
    links = {"company": CompanyFactory(), "contact": ContactFactory(), "lead": LeadFactory(), "deal": DealFactory()}
    due = timezone.now() + timedelta(days=400)
    match = ActivityFactory(subject="Walrus audit", kind="call", status="done", assignee=rep, due_at=due, **links)
    return match, {
        "assignee": rep, "kind": "call", "status": "done", **links, "search": "walrus",
        "due_after": due - timedelta(hours=1), "due_before": due + timedelta(hours=1),
    }  # fmt: skip


def order_records(rep: Any) -> tuple[models.Model, Samples]:
    company, contact, deal = CompanyFactory(), ContactFactory(), DealFactory()
    match = create_order(
        by=rep, company=company, contact=contact, deal=deal, ordered_on=date(2031, 5, 1),
        lines=[{"description": "Parity", "unit_price": "1.00"}],
    )  # fmt: skip
    Order.objects.filter(pk=match.pk).update(status="paid")
    return match, {
        "owner": rep, "status": "paid", "company": company, "contact": contact, "deal": deal,
        "number": match.number.lower(), "ordered_after": date(2031, 4, 1), "ordered_before": date(2031, 5, 1),
    }  # fmt: skip


def other_order(ordered_on: date = date(2020, 1, 1)) -> models.Model:
    return create_order(by=None, company=CompanyFactory(), ordered_on=ordered_on)


def article_records(rep: Any) -> tuple[models.Model, Samples]:
    category = create_category(by=None, name="Parity")
    match = create_article(
        by=None, draft_title="Parity", language="fr", category=category, visibility=Visibility.PUBLIC
    )
    publish_article(match, by=None)
    return match, {
        "status": "published", "visibility": "public", "language": "FR", "category": category,
    }  # fmt: skip


def other_article() -> models.Model:
    return create_article(by=None, draft_title="Other", language="en")


def case_records(rep: Any) -> tuple[models.Model, Samples]:
    seed_service()
    contact = ContactFactory(company=CompanyFactory())
    status = CaseStatus.objects.get(key="waiting")
    category, team = CaseCategory.objects.create(name="Parity"), Team.objects.create(name="Parity queue")
    match = create_case(
        by=rep, subject="Parity", contact=contact, owner=rep, status=status, category=category, team=team,
        priority="urgent", channel="phone",
    )  # fmt: skip
    return match, {
        "status": status, "status_category": "pending", "priority": "urgent", "channel": "phone",
        "category": category, "queue": team, "agent": rep, "unassigned": False, "contact": contact,
        "company": contact.company, "number": match.number.lower(), "created_after": timezone.now() - LONG_AGO / 2,
    }  # fmt: skip


def campaign_records(rep: Any) -> tuple[models.Model, Samples]:
    parent = create_campaign(by=None, name="Parity parent")
    match = create_campaign(
        by=rep, name="Parity", kind="webinar", status="active", owner=rep, parent=parent, start_date=date(2031, 5, 1)
    )
    return match, {
        "kind": "webinar", "status": "active", "owner": rep, "parent": parent, "starts_after": date(2031, 4, 1),
        "starts_before": date(2031, 5, 1),
    }  # fmt: skip


def other_campaign() -> models.Model:
    return create_campaign(by=None, name="Other campaign")


def member_records(rep: Any) -> tuple[models.Model, Samples]:
    campaign, contact = create_campaign(by=None, name="Parity members", owner=rep), ContactFactory()
    (match,) = add_members(campaign, by=None, contacts=[contact], status="attended")
    return match, {"campaign": campaign, "contact": contact, "status": "attended"}


def other_member() -> models.Model:
    return add_members(create_campaign(by=None, name="Other members"), by=None, leads=[LeadFactory()])[0]


def touch_records(rep: Any) -> tuple[models.Model, Samples]:
    campaign, contact = create_campaign(by=None, name="Parity touches"), ContactFactory()
    match = record_touch(campaign, kind=TouchKind.FORM, contact=contact, occurred_at=timezone.now() - LONG_AGO / 4)
    samples = {
        "campaign": campaign, "kind": TouchKind.FORM, "contact": contact, "lead": None, "deal": None,
        "occurred_after": timezone.now() - LONG_AGO / 2, "occurred_before": timezone.now(),
    }  # fmt: skip
    return match, samples


def other_touch(occurred_at: Any = None) -> models.Model:
    campaign = create_campaign(by=None, name="Other touches")
    return record_touch(campaign, kind=TouchKind.VISIT, contact=ContactFactory(),
                        occurred_at=occurred_at or timezone.now() - LONG_AGO)  # fmt: skip


def touch_of_a(link: str) -> Callable[[Any], tuple[models.Model, Any]]:
    """A touch on a lead or a deal (a touch is on one record only), and the record."""

    def make(rep: Any) -> tuple[models.Model, Any]:
        record = (LeadFactory if link == "lead" else DealFactory)()
        return record_touch(create_campaign(by=None, name=f"Parity {link} touch"), kind=TouchKind.AD_CLICK,
                            **{link: record}), record  # fmt: skip

    return make


def segment_records(rep: Any) -> tuple[models.Model, Samples]:
    contact = ContactFactory()
    match = create_segment(by=None, name="Parity list", kind="static", owner=rep)
    add_to_list(match, [contact], by=None)
    return match, {"kind": "static", "owner": rep, "contact": contact}


def other_segment() -> models.Model:
    return create_segment(by=None, name="Other segment", rules={"match": "all", "conditions": []})


def collateral_records(rep: Any) -> tuple[models.Model, Samples]:
    match = create_item(by=rep, title="Parity price sheet", category="Pricing", tags=["pricing"])
    return match, {"category": "PRICING", "title": "price SHEET", "tag": "PRICING", "live": True}


def archived_collateral() -> models.Model:
    item = create_item(by=None, title="Archived brochure", category="Pricing", tags=["pricing"])  # type: ignore[arg-type]
    archive_item(item, by=None, archived=True)  # type: ignore[arg-type]
    return item


def other_collateral() -> models.Model:
    return create_item(by=None, title="Other brochure", category="Brochures")  # type: ignore[arg-type]


def marketing_email_records(rep: Any) -> tuple[models.Model, Samples]:
    campaign = create_campaign(by=None, name="Parity e-mails")
    segment = Segment.objects.create(name="Parity segment", kind="static")
    topic = Topic.objects.create(key="parity", name="Parity")
    match = create_email(by=rep, name="Parity e-mail", campaign=campaign, segment=segment, topic=topic)
    MarketingEmail.objects.filter(pk=match.pk).update(status="scheduled")
    return match, {"status": "scheduled", "campaign": campaign, "segment": segment, "topic": topic}


def other_case() -> models.Model:
    return create_case(by=None, subject="Other")


def old_case() -> models.Model:
    case = other_case()
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - LONG_AGO)
    return case


def web_form_records(rep: Any) -> tuple[models.Model, Samples]:
    campaign = create_campaign(by=None, name="Parity forms")
    match = create_form(
        by=None, name="Parity form", key="parity-form", creates="contact", campaign=campaign,
        fields=[{"field": "last_name", "required": True}, {"field": "email", "required": True}],
    )  # fmt: skip
    return match, {"is_active": True, "creates": "contact", "campaign": campaign}


def other_web_form() -> models.Model:
    return create_form(by=None, name="Other form", key=f"other-form-{WebForm.objects.count()}", is_active=False)


def submission_records(rep: Any) -> tuple[models.Model, Samples]:
    form = web_form_records(rep)[0]
    match = Submission.objects.create(form=form, status="duplicate", data={"email": "parity@example.test"})
    return match, {"form": form, "status": "duplicate", "submitted_after": timezone.now() - LONG_AGO / 2}


def other_submission() -> models.Model:
    other = Submission.objects.create(form=other_web_form(), status="spam", data={})
    Submission.objects.filter(pk=other.pk).update(created_at=timezone.now() - LONG_AGO)
    return other


def survey_records(rep: Any) -> tuple[models.Model, Samples]:
    campaign = create_campaign(by=None, name="Parity surveys")
    match = create_survey(by=None, name="Parity survey", kind="csat", status="open", campaign=campaign)
    return match, {"kind": "csat", "status": "open", "campaign": campaign}


def other_survey() -> models.Model:
    return create_survey(by=None, name="Other survey", kind="nps")


def response_records(rep: Any) -> tuple[models.Model, Samples]:
    survey = create_survey(by=None, name="Parity answers", kind="nps", status="open")
    match = Response.objects.create(survey=survey, score=10, category="promoter", submitted_at=timezone.now())
    return match, {"survey": survey, "category": "promoter", "submitted_after": timezone.now() - LONG_AGO / 2}


def other_response() -> models.Model:
    survey = create_survey(by=None, name="Other answers", kind="nps", status="open")
    return Response.objects.create(survey=survey, score=3, category="detractor", submitted_at=timezone.now() - LONG_AGO)


def sla_policy_records(rep: Any) -> tuple[models.Model, Samples]:
    return save_policy(None, name="Parity policy", targets={"high": (60, None)}, is_active=True), {"is_active": True}


def other_sla_policy() -> models.Model:
    return save_policy(None, name="Other policy", targets={"low": (None, 600)}, is_active=False)


WEEK = [(0, 540, 1020), (1, 540, 1020)]


def calendar_records(rep: Any) -> tuple[models.Model, Samples]:
    team = Team.objects.create(name="Parity calendar queue")
    match = save_calendar(None, name="Parity calendar", time_zone="Europe/Berlin", intervals=WEEK, is_default=True,
                          team=team)  # fmt: skip
    return match, {"queue": team, "is_default": True}


def other_calendar() -> models.Model:
    return save_calendar(None, name="Other calendar", time_zone="UTC", intervals=WEEK)


def holiday_records(rep: Any) -> tuple[models.Model, Samples]:
    calendar = save_calendar(None, name="Parity days off", time_zone="UTC", intervals=WEEK)
    day = timezone.localdate() + timedelta(days=400)
    match = add_holiday(calendar, day=day, name="Parity day")
    return match, {"calendar": calendar, "date_after": day - timedelta(days=1), "date_before": day}


def other_holiday() -> models.Model:
    calendar = save_calendar(None, name=f"Other days off {CalendarHoliday.objects.count()}", time_zone="UTC",
                             intervals=WEEK)  # fmt: skip
    return add_holiday(calendar, day=timezone.localdate() - timedelta(days=400), name="Other day")


def late_holiday() -> models.Model:
    calendar = save_calendar(None, name="Late days off", time_zone="UTC", intervals=WEEK)
    return add_holiday(calendar, day=timezone.localdate() + timedelta(days=800), name="Late day")


def call_records(rep: Any) -> tuple[models.Model, Samples]:
    contact = ContactFactory(company=CompanyFactory())
    match = Call.objects.create(provider_sid="CA-parity", direction="outbound", status="completed", agent=rep,
                                contact=contact, company=contact.company, customer_number="+4930100",
                                workspace_number="+4930200")  # fmt: skip
    return match, {
        "direction": "outbound", "status": "completed", "agent": rep, "contact": contact, "company": contact.company,
        "created_after": timezone.now() - LONG_AGO / 2,
    }  # fmt: skip


def other_call() -> models.Model:
    other = Call.objects.create(provider_sid=f"CA-other-{Call.objects.count()}", direction="inbound",
                                customer_number="+4930300", workspace_number="+4930200")  # fmt: skip
    Call.objects.filter(pk=other.pk).update(created_at=timezone.now() - LONG_AGO)
    return other


def sms_records(rep: Any) -> tuple[models.Model, Samples]:
    case = create_case(by=rep, subject="Parity SMS", contact=ContactFactory(), owner=rep)
    match = SmsMessage.objects.create(dedupe_key="parity", event="case_solved", case=case, contact=case.contact,
                                      to_number="+4930100", body="Solved", status="delivered")  # fmt: skip
    return match, {
        "case": case, "contact": case.contact, "status": "delivered", "event": "case_solved",
        "created_after": timezone.now() - LONG_AGO / 2,
    }  # fmt: skip


def other_sms() -> models.Model:
    case = create_case(by=None, subject="Other SMS")
    other = SmsMessage.objects.create(dedupe_key=f"other-{SmsMessage.objects.count()}", event="case_opened",
                                      case=case, to_number="+4930300", body="Opened")  # fmt: skip
    SmsMessage.objects.filter(pk=other.pk).update(created_at=timezone.now() - LONG_AGO)
    return other


def csat_records(rep: Any) -> tuple[models.Model, Samples]:
    team = Team.objects.create(name="Parity CSAT queue")
    case = create_case(by=rep, subject="Parity CSAT", owner=rep, team=team)
    match = CsatSurvey.objects.create(case=case, agent=rep, team=team, email="csat@parity.example",
                                      token_hash="parity", expires_at=timezone.now(), rating=4,
                                      answered_at=timezone.now())  # fmt: skip
    return match, {"case": case, "agent": rep, "queue": team, "answered_after": timezone.now() - LONG_AGO / 2}


def other_csat() -> models.Model:
    case = create_case(by=None, subject="Other CSAT")
    return CsatSurvey.objects.create(case=case, email="other@parity.example", token_hash=f"other-{case.pk}",
                                     expires_at=timezone.now(), rating=2,
                                     answered_at=timezone.now() - LONG_AGO)  # fmt: skip


def rule_records(rep: Any) -> tuple[models.Model, Samples]:
    category, team = CaseCategory.objects.create(name="Parity rules"), Team.objects.create(name="Parity rule queue")
    match = create_rule(name="Parity rule", method="fixed", agent=rep, channel="phone", category=category,
                        queue=team)  # fmt: skip
    return match, {"is_active": True, "method": "fixed", "channel": "phone", "category": category, "queue": team}


def other_rule() -> models.Model:
    return create_rule(name="Other rule", method="round_robin", is_active=False, channel="email")


def canned_records(rep: Any) -> tuple[models.Model, Samples]:
    match = create_canned_response(by=rep, shared=True, title="Parity greeting", body="Hello")
    return match, {"shared": True, "search": "PARITY"}


def other_canned() -> models.Model:
    return create_canned_response(by=User.objects.get(email=ADMIN_EMAIL), shared=False, title="Mine", body="Hi")


def portal_user_records(rep: Any) -> tuple[models.Model, Samples]:
    contact = ContactFactory(company=CompanyFactory(), email="portal@parity.example")
    match = PortalUser.objects.create(contact=contact, email=contact.email, is_company_admin=True)
    return match, {"contact": contact, "is_active": True, "is_company_admin": True, "email": "PORTAL@parity.example"}


def other_portal_user() -> models.Model:
    contact = ContactFactory(email=f"other{PortalUser.objects.count()}@parity.example")
    return PortalUser.objects.create(contact=contact, email=contact.email, is_active=False)


def consent_records(rep: Any) -> tuple[models.Model, Samples]:
    contact, topic = ContactFactory(), Topic.objects.create(key="parity-consent", name="Parity consent")
    match = record_consent(contact, topic, granted=True, source="form", proof={"note": "Parity"})
    return match, {
        "contact": contact, "topic": topic, "status": "granted", "changed_after": timezone.now() - LONG_AGO / 2,
    }  # fmt: skip


def other_consent() -> models.Model:
    topic = Topic.objects.create(key=f"other-consent-{Topic.objects.count()}", name="Other consent")
    other = record_consent(ContactFactory(), topic, granted=True, source="staff", proof={"note": "Other"})
    Consent.objects.filter(pk=other.pk).update(status="withdrawn", changed_at=timezone.now() - LONG_AGO)
    return other


def consent_event_records(rep: Any) -> tuple[models.Model, Samples]:
    match = consent_records(rep)[0]
    event = ConsentEvent.objects.get(contact=match.contact, topic=match.topic)  # type: ignore[attr-defined]
    return event, {
        "contact": event.contact, "topic": event.topic, "action": "granted", "source": "form",
        "occurred_after": timezone.now() - LONG_AGO / 2,
    }  # fmt: skip


def other_consent_event() -> models.Model:
    other = other_consent()
    events = ConsentEvent.objects.filter(contact=other.contact)  # type: ignore[attr-defined]
    events.update(action="withdrawn", occurred_at=timezone.now() - LONG_AGO)
    return events.get()


def suppression_records(rep: Any) -> tuple[models.Model, Samples]:
    match = suppress("parity@suppressed.example", reason="hard_bounce", source="parity")
    return match, {"search": "PARITY@suppressed", "reason": "hard_bounce"}


def scoring_rule_records(rep: Any) -> tuple[models.Model, Samples]:
    values = {"name": "Parity rule", "kind": "behaviour", "event_type": "form.submitted", "points": 5}
    return save_rule(None, values, by=rep), {"kind": "behaviour", "active": True, "event_type": "form.submitted"}


def other_scoring_rule() -> models.Model:
    values = {
        "name": "Other rule", "kind": "fit", "entity": "contact", "field": "job_title", "operator": "eq",
        "value": "CEO", "points": 3, "active": False,
    }  # fmt: skip
    return save_rule(None, values, by=None)  # type: ignore[arg-type]


def score_of(**record: Any) -> Score:
    return Score.objects.create(**record, fit=10, behaviour=5, total=15, grade="A", updated_at=timezone.now())


def lead_score_records(rep: Any) -> tuple[models.Model, Samples]:
    contact = ContactFactory(owner=rep)
    return score_of(contact=contact), {"contact": contact, "lead": None, "grade": "a"}


def lead_score_of_a_lead(rep: Any) -> tuple[models.Model, Any]:
    lead = LeadFactory(owner=rep)
    return score_of(lead=lead), lead


def other_lead_score() -> models.Model:
    return Score.objects.create(contact=ContactFactory(), fit=0, total=0, grade="D", updated_at=timezone.now())


def recipient_records(rep: Any) -> tuple[models.Model, Samples]:
    email = create_email(by=None, name="Parity send")
    match = Recipient.objects.create(
        email=email, contact=ContactFactory(), address="parity@recipient.example", variant="b", state="sent",
        sent_at=timezone.now(), message_id="<parity@recipient.example>",
    )  # fmt: skip
    return match, {
        "email": email, "status": "sent", "variant": "b", "address": "PARITY@recipient.example",
        "sent_after": timezone.now() - LONG_AGO / 2,
    }  # fmt: skip


def other_recipient() -> models.Model:
    email = create_email(by=None, name="Other send")
    return Recipient.objects.create(
        email=email, contact=ContactFactory(), address="other@recipient.example", message_id="<other@recipient>"
    )


# Filters one record cannot match together (a score is a contact's or a lead's): the filter's own
# record and the value that finds it.
MATCH_FOR_FILTER: dict[str, dict[str, Callable[[Any], tuple[models.Model, Any]]]] = {
    "lead_score": {"lead": lead_score_of_a_lead},
    "campaign_touch": {"lead": touch_of_a("lead"), "deal": touch_of_a("deal")},
}


def _mail(direction: str, age: timedelta) -> MailMessage:
    """A message of a new thread in a mailbox of the admin (who sees all of it), ``age`` old."""
    owner = User.objects.get(email=ADMIN_EMAIL)
    found = sweep_mail_message(owner)
    moment = timezone.now() - age
    MailMessage.objects.filter(pk=found.pk).update(direction=direction, date=moment)
    MailThread.objects.filter(pk=found.thread_id).update(first_at=moment, last_at=moment)
    found.refresh_from_db()
    return found


def mail_thread_records(rep: Any) -> tuple[models.Model, Samples]:
    return _mail("in", timedelta(0)).thread, {"last_after": timezone.now() - LONG_AGO / 2}


def other_mail_thread() -> models.Model:
    return _mail("in", LONG_AGO).thread


def mail_message_records(rep: Any) -> tuple[models.Model, Samples]:
    match = _mail("in", timedelta(0))
    samples = {
        "thread": match.thread,
        "direction": MessageDirection.INBOUND,
        "date_after": timezone.now() - LONG_AGO / 2,
    }
    return match, samples


def other_mail_message() -> models.Model:
    return _mail("out", LONG_AGO)


def attendee_records(rep: Any) -> tuple[models.Model, Samples]:
    meeting = ActivityFactory(kind="meeting", subject="Parity meeting")
    match = ActivityAttendee.objects.create(activity=meeting, email="ana@parity.example", attendance="accepted")
    return match, {"activity": meeting, "attendance": "accepted"}


def other_attendee() -> models.Model:
    meeting = ActivityFactory(kind="meeting", subject="Other meeting")
    return ActivityAttendee.objects.create(activity=meeting, email="bo@parity.example", attendance="declined")


# Filters a single other record cannot miss together (a date that is never empty lies before one
# bound or after the other): each gets its own other record, which it must not find.
OTHER_FOR_FILTER: dict[str, dict[str, Callable[[], models.Model]]] = {
    "order": {"ordered_before": lambda: other_order(date(2040, 1, 1))},
    "case": {"created_after": old_case},
    "collateral_item": {"live": archived_collateral},
    "calendar_holiday": {"date_before": late_holiday},
    "campaign_touch": {"occurred_before": lambda: other_touch(timezone.now() + timedelta(days=1))},
}


RECORDS: dict[str, tuple[EntityDescription, Callable[[Any], tuple[models.Model, Samples]], Any]] = {
    "company": (COMPANY, company_records, CompanyFactory),
    "contact": (CONTACT, contact_records, ContactFactory),
    "lead": (LEAD, lead_records, LeadFactory),
    "deal": (DEAL, deal_records, DealFactory),
    # Not due at all, so neither due_after nor due_before finds it.
    "activity": (ACTIVITY, activity_records, lambda: ActivityFactory(due_at=None)),
    "order": (ORDER, order_records, other_order),
    "article": (ARTICLE, article_records, other_article),
    "case": (CASE, case_records, other_case),
    "campaign": (CAMPAIGN, campaign_records, other_campaign),
    "campaign_member": (CAMPAIGN_MEMBER, member_records, other_member),
    "campaign_touch": (CAMPAIGN_TOUCH, touch_records, other_touch),
    "web_form": (WEB_FORM, web_form_records, other_web_form),
    "form_submission": (FORM_SUBMISSION, submission_records, other_submission),
    "survey": (SURVEY, survey_records, other_survey),
    "survey_response": (SURVEY_RESPONSE, response_records, other_response),
    "segment": (SEGMENT, segment_records, other_segment),
    "collateral_item": (COLLATERAL_ITEM, collateral_records, other_collateral),
    "marketing_email": (MARKETING_EMAIL, marketing_email_records, lambda: create_email(by=None, name="Other e-mail")),
    "sla_policy": (SLA_POLICY, sla_policy_records, other_sla_policy),
    "business_calendar": (BUSINESS_CALENDAR, calendar_records, other_calendar),
    "calendar_holiday": (CALENDAR_HOLIDAY, holiday_records, other_holiday),
    "call": (CALL, call_records, other_call),
    "sms_message": (SMS_MESSAGE, sms_records, other_sms),
    "csat_answer": (CSAT_ANSWER, csat_records, other_csat),
    "assignment_rule": (ASSIGNMENT_RULE, rule_records, other_rule),
    "canned_response": (CANNED_RESPONSE, canned_records, other_canned),
    "portal_user": (PORTAL_USER, portal_user_records, other_portal_user),
    "consent": (CONSENT, consent_records, other_consent),
    "consent_event": (CONSENT_EVENT, consent_event_records, other_consent_event),
    "suppression": (SUPPRESSION, suppression_records, lambda: suppress("o@kept.example", reason="manual", source="o")),
    "scoring_rule": (SCORING_RULE, scoring_rule_records, other_scoring_rule),
    "score_threshold": (SCORE_THRESHOLD, lambda rep: (ScoreThreshold.objects.create(name="MQL", points=50), {}),
                        lambda: ScoreThreshold.objects.create(name="SQL", points=80)),
    "lead_score": (LEAD_SCORE, lead_score_records, other_lead_score),
    "marketing_email_recipient": (MARKETING_EMAIL_RECIPIENT, recipient_records, other_recipient),
    "mail_thread": (MAIL_THREAD, mail_thread_records, other_mail_thread),
    "mail_message": (MAIL_MESSAGE, mail_message_records, other_mail_message),
    "meeting_attendee": (MEETING_ATTENDEE, attendee_records, other_attendee),
}  # fmt: skip


def rest_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, models.Model):
        return str(value.pk)
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


def graphql_literal(entity: EntityDescription, name: str, value: Any) -> str:
    spec = next(item for item in entity.filters if item.name == name)
    if spec.kind == FilterKind.RELATION:
        return json.dumps(to_global_id(spec.target, value.pk))
    if spec.kind == FilterKind.CHOICE:
        assert spec.choices is not None
        return spec.choices(value).name  # the enum's member (event types hold dots: FORM_SUBMITTED)
    if spec.kind == FilterKind.NUMBER_ID:
        return str(value.pk)
    if spec.kind == FilterKind.BOOLEAN:
        return rest_value(value)
    return json.dumps(rest_value(value))


def rest_ids(client: Any, entity: EntityDescription, params: dict[str, str]) -> set[int]:
    response = client.get(f"/api/v1/{entity.rest_path}/", {**params, "fields": "id", "page_size": 200})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def graphql_ids(client: Any, entity: EntityDescription, name: str, literal: str) -> set[int]:
    field = to_camel_case(entity.resource)
    query = f"{{ {field}(first: 100, {to_camel_case(name)}: {literal}) {{ edges {{ node {{ id }} }} }} }}"
    body = post_graphql(client, query).json()
    assert "errors" not in body, body
    return {int(from_global_id(edge["node"]["id"])[1]) for edge in body["data"][field]["edges"]}


@pytest.mark.parametrize("name", list(RECORDS))
def test_every_filter_finds_the_same_records_over_rest_and_graphql(alpha: TenantFixture, name: str):
    entity, make, factory = RECORDS[name]
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        match, samples = make(rep)
        other = factory()
        if "updated_at" in {field.name for field in entity.model._meta.concrete_fields}:
            entity.model._default_manager.filter(pk=other.pk).update(updated_at=timezone.now() - LONG_AGO)
    if any(spec.name == "updated_after" for spec in entity.filters):
        samples["updated_after"] = timezone.now() - LONG_AGO / 2
    rest, graphql = api_client(alpha), alpha.client()

    assert set(samples) == {spec.name for spec in entity.filters}, "every filter needs a parity sample"
    with alpha.active():
        others = {key: make_other() for key, make_other in OTHER_FOR_FILTER.get(name, {}).items()}
        matches = {key: make_match(rep) for key, make_match in MATCH_FOR_FILTER.get(name, {}).items()}
    for filter_name, value in samples.items():
        target, value = matches.get(filter_name, (match, value))
        over_rest = rest_ids(rest, entity, {filter_name: rest_value(value)})
        over_graphql = graphql_ids(graphql, entity, filter_name, graphql_literal(entity, filter_name, value))
        assert target.pk in over_rest, filter_name
        assert others.get(filter_name, other).pk not in over_rest, filter_name
        assert over_rest == over_graphql, filter_name


@pytest.mark.parametrize(("entity", "ordering"), [(ACTIVITY, "due_at"), (DEAL, "expected_close_date")])
@pytest.mark.parametrize("descending", [False, True])
def test_orderings_on_columns_with_empty_values_agree_and_put_empty_last(
    alpha: TenantFixture, entity: EntityDescription, ordering: str, descending: bool
):
    factory = ActivityFactory if entity is ACTIVITY else DealFactory
    soon = timezone.now() + timedelta(days=1)
    values = [soon, None, soon + timedelta(days=2), soon, None] if entity is ACTIVITY else [
        date(2030, 1, 1), None, date(2030, 3, 1), date(2030, 1, 1), None
    ]  # fmt: skip
    with alpha.active():
        ids = [factory(**{ordering: value}).pk for value in values]
    rest, graphql = api_client(alpha), alpha.client()
    prefix = "-" if descending else ""

    pages: list[int] = []
    url: str | None = f"/api/v1/{entity.rest_path}/?ordering={prefix}{ordering}&page_size=2&fields=id"
    while url:
        body = rest.get(url).json()
        pages.extend(row["id"] for row in body["results"])
        url = body["next"]
    member = f"{ordering.upper()}{'_DESC' if descending else ''}"
    field = to_camel_case(entity.resource)
    data = post_graphql(graphql, f"{{ {field}(first: 50, orderBy: {member}) {{ edges {{ node {{ id }} }} }} }}").json()
    over_graphql = [int(from_global_id(edge["node"]["id"])[1]) for edge in data["data"][field]["edges"]]

    filled = sorted((value, pk) for value, pk in zip(values, ids, strict=True) if value is not None)
    if descending:
        filled.reverse()  # value then id, both descending
    empty = sorted((pk for value, pk in zip(values, ids, strict=True) if value is None), reverse=descending)
    expected = [pk for _value, pk in filled] + empty
    assert [pk for pk in pages if pk in ids] == expected
    assert [pk for pk in over_graphql if pk in ids] == expected
