"""Records linked across owners and modules, the callers that read them, and what each caller may
see, written out here independently of ``modules.record_access``.

A ``holder`` owns one record of each kind whose every link points at a record of ``outsider``
(another user, in no team). The holder is the sales rep (own visibility) and shares the team of the
manager and the support agent (team visibility); the outsider is seen only by roles seeing all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db import models
from django.utils import timezone

from customization.fields.services import create_definition
from identity.choices import RecordVisibility
from identity.models import Role, Team, User
from identity.services.api_keys import create_api_key, known_scopes
from identity.services.roles import system_role_definitions
from modules.activities.models import ActivityAttendee
from modules.marketing.attribution.services import record_touch
from modules.marketing.choices import EmailStatus
from modules.marketing.consent.services import record_consent
from modules.marketing.delivery.models import Recipient
from modules.marketing.models import MarketingEmail, Topic
from modules.marketing.scoring.models import Score
from modules.marketing.segments.services import add_to_list, create_segment
from modules.marketing.services.campaigns import add_members, create_campaign
from modules.marketing.webforms.choices import SubmissionStatus
from modules.marketing.webforms.models import Submission
from modules.marketing.webforms.services.forms import create_form
from modules.sales.models import LostReason, Order, PriceList
from modules.sales.services.orders import create_order
from modules.sales.services.quote_sharing import share_quote
from modules.sales.services.quotes import add_line, create_quote
from modules.service.contact_centre.models import Call, CsatSurvey, SmsMessage
from modules.service.desk.services.assignment import create_rule
from modules.service.models import Case, CaseAttachment, CaseCategory
from modules.service.portal.models import PortalUser
from modules.service.services.cases import add_message, create_case
from modules.service.sla.services.calendars import add_holiday, save_calendar
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    ProductFactory,
    TimelineEntryFactory,
)
from tests.marketing.surveys.sweep_data import survey_objects
from tests.tenancy import ADMIN_EMAIL

# The module whose ``<module>.view`` permission and ``<module>:read`` scope a record needs, by app.
# Tags and timeline entries live in the contacts app but label records of every module.
MODULE_OF_APP = {
    "contacts": "contacts", "activities": "activities", "sales": "sales", "service": "service",
    # The service module's settings, desk, portal and contact-centre records (their own app labels).
    "service_sla": "service", "service_desk": "service", "service_portal": "service",
    "service_contact_centre": "service",
}  # fmt: skip
SHARED_MODELS = {"contacts.Tag", "contacts.TimelineEntry"}
OWNER_FIELD = {"activities.Activity": "assignee"}


def module_of(model: type[models.Model]) -> str | None:
    if model._meta.label in SHARED_MODELS:
        return None
    return MODULE_OF_APP.get(model._meta.app_label)


def owner_of(record: models.Model) -> int | bool | None:
    """The owner's id; False when the record has no owner (visible with its module)."""
    name = OWNER_FIELD.get(record._meta.label, "owner")
    if not any(field.name == name for field in record._meta.concrete_fields):
        return False
    return getattr(record, f"{name}_id")  # type: ignore[no-any-return]


@cache
def teammates_of(user_pk: int) -> frozenset[int]:
    return frozenset(User.objects.filter(teams__members=user_pk).values_list("pk", flat=True))


@cache
def teams_of(user_pk: int) -> frozenset[int]:
    return frozenset(Team.objects.filter(members=user_pk).values_list("pk", flat=True))


@cache
def record(model: type[models.Model], pk: int) -> models.Model:
    """A record a response named, read once however many callers saw it."""
    return model._default_manager.get(pk=pk)


@dataclass(frozen=True)
class Caller:
    """Who calls: a user (through an API key) holding ``scopes``."""

    label: str
    user: User
    token: str
    scopes: frozenset[str]

    def may_read(self, module: str) -> bool:
        return self.user.has_perm(f"{module}.view") and (
            f"{module}:read" in self.scopes or f"{module}:write" in self.scopes
        )

    def may_see(self, record: models.Model) -> bool:
        module = module_of(type(record))
        if module is None:
            return True
        if not self.may_read(module):
            return False
        owner = owner_of(record)
        if owner is False:
            return True
        visibility = self.user.role.record_visibility if self.user.role else RecordVisibility.OWN
        if visibility == RecordVisibility.ALL:
            return True
        if owner is None and isinstance(record, Case):
            # An unassigned case waits in its queue: seen by the queue's members (and by all without one).
            return record.team_id is None or record.team_id in teams_of(self.user.pk)
        if visibility == RecordVisibility.TEAM:
            return owner in teammates_of(self.user.pk) | {self.user.pk}
        return owner == self.user.pk


@dataclass(frozen=True)
class World:
    holder: User
    callers: tuple[Caller, ...]


def build_world() -> World:
    """Call inside the tenant's ``active()``: the records, one caller per built-in role (a key with
    every scope) and one per single scope (the admin's key holding only it)."""
    teammates_of.cache_clear()  # ids repeat between tests: every test's rows are rolled back
    teams_of.cache_clear()
    record.cache_clear()
    roles = {role.key: role for role in Role.objects.all()}
    team = Team.objects.create(name="Link sweep")
    users = {
        key: User.objects.create(email=f"{key}@links.test", full_name=key, role=roles[key])
        for key in system_role_definitions()
    }
    team.members.add(users["sales_rep"], users["manager"], users["support_agent"])
    holder = users["sales_rep"]
    outsider = User.objects.create(email="outsider@links.test", full_name="Outsider", role=roles["sales_rep"])
    build_records(holder, outsider)

    every_scope = sorted(known_scopes())
    callers = [
        Caller(
            f"role {key}", user, create_api_key(user=user, name="sweep", scopes=every_scope)[1], frozenset(every_scope)
        )
        for key, user in users.items()
    ]
    admin = User.objects.get(email=ADMIN_EMAIL)
    callers += [
        Caller(f"scope {scope}", admin, create_api_key(user=admin, name=scope, scopes=[scope])[1], frozenset({scope}))
        for scope in every_scope
    ]
    return World(holder=holder, callers=tuple(callers))


def build_records(holder: User, outsider: User) -> None:
    """Each kind twice: the outsider's, and the holder's linking to the outsider's."""
    their_company = CompanyFactory(owner=outsider)
    their_contact = ContactFactory(owner=outsider, company=their_company)
    their_lead = LeadFactory(owner=outsider)
    their_deal = DealFactory(owner=outsider, company=their_company, contact=their_contact, lead=their_lead)
    their_activity = ActivityFactory(assignee=outsider, company=their_company)

    my_company = CompanyFactory(owner=holder)
    create_definition(by=None, entity="contact", key="account_deal", label="Account deal", field_type="reference",
                      reference_entity="deal")  # fmt: skip
    my_contact = ContactFactory(owner=holder, company=their_company, custom={"account_deal": their_deal.pk})
    my_lead = LeadFactory(
        owner=holder,
        status="converted",
        converted_company=their_company,
        converted_contact=their_contact,
        converted_deal=their_deal,
    )
    my_deal = DealFactory(
        owner=holder,
        company=their_company,
        contact=their_contact,
        lead=their_lead,
        lost_reason=LostReason.objects.order_by("id").first(),
    )
    ActivityFactory(
        assignee=holder,
        company=their_company,
        contact=their_contact,
        lead=their_lead,
        deal=their_deal,
        origin=their_activity,
    )
    # A meeting of the holder's with the outsider's contact among its attendees.
    my_meeting = ActivityFactory(assignee=holder, kind="meeting", subject="Sweep meeting")
    ActivityAttendee.objects.create(activity=my_meeting, email="their@people.example", contact=their_contact)
    quote = create_quote(deal=their_deal, by=holder, price_list=PriceList.objects.create(name="Sweep", currency="EUR"))
    quote.owner = holder
    quote.save(update_fields=["owner"])
    add_line(quote, by=holder, product=ProductFactory(), quantity=Decimal("2"))
    share_quote(quote, by=holder)  # Quote.shares → QuoteShare.quote
    their_quote = create_quote(deal=their_deal, by=outsider)
    order = create_order(
        by=holder, owner=holder, company=their_company, contact=their_contact, deal=their_deal,
        lines=[{"product": ProductFactory(), "quantity": Decimal("1")}],
    )  # fmt: skip
    Order.objects.filter(pk=order.pk).update(quote=their_quote)
    for subject in (my_company, my_contact, my_lead, my_deal, order):
        TimelineEntryFactory(kind="activity", activity=their_activity, **{subject._meta.model_name: subject})
    build_cases(holder, outsider, their_company, their_contact, their_deal)
    build_contact_centre(holder, their_company, their_contact, their_lead, their_activity)
    build_marketing(holder, their_contact, their_lead, their_deal)


def build_contact_centre(holder: User, company: models.Model, contact: models.Model, lead: models.Model,
                         activity: models.Model) -> None:  # fmt: skip
    """A call, an SMS, a CSAT answer and a portal user naming the outsider's records, about the
    holder's case; an assignment rule naming a case category."""
    case = Case.objects.get(subject="Mine")
    Call.objects.create(provider_sid="CA-link-sweep", direction="inbound", customer_number="+4930111111",
                        workspace_number="+4930222222", agent=holder, contact=contact, company=company, lead=lead,
                        activity=activity)  # fmt: skip
    SmsMessage.objects.create(dedupe_key="link-sweep", event="case_opened", case=case, contact=contact,
                              to_number="+4930111111", body="Link sweep")  # fmt: skip
    CsatSurvey.objects.create(case=case, contact=contact, agent=holder, email="sweep@people.example",
                              token_hash="link-sweep", expires_at=timezone.now(), rating=5,
                              answered_at=timezone.now())  # fmt: skip
    PortalUser.objects.create(contact=contact, email="portal@links.test")
    calendar = save_calendar(None, name="Link sweep calendar", time_zone="UTC", intervals=[(0, 540, 1020)])
    add_holiday(calendar, day=timezone.localdate(), name="Link sweep day")  # CalendarHoliday.calendar
    create_rule(name="Link sweep rule", method="round_robin", category=CaseCategory.objects.order_by("pk").first())


def build_marketing(holder: User, contact: models.Model, lead: models.Model, deal: models.Model) -> None:
    """The holder's campaign, its touches, survey answer, form submissions and e-mail recipient
    naming the outsider's contact, lead and deal (marketing rows are not owned: the link shows only
    to callers who may see its record)."""
    campaign = create_campaign(by=holder, name="Link sweep campaign", owner=holder)
    add_members(campaign, by=holder, contacts=[contact], leads=[lead])
    for link in ({"contact": contact}, {"lead": lead}, {"deal": deal}):
        record_touch(campaign, kind="visit", **link)
    survey_objects(holder, contact)
    static_list = create_segment(by=holder, name="Link sweep list", kind="static")
    add_to_list(static_list, [contact], by=holder)
    form = create_form(by=holder, name="Link sweep form", key="link-sweep")
    for link in ({"lead": lead}, {"contact": contact}):
        Submission.objects.create(form=form, status=SubmissionStatus.ACCEPTED, data={}, **link)
    # Consent, its history and scores name the contact or lead (listed for callers who see it).
    topic = Topic.objects.create(key="link-sweep", name="Link sweep")
    record_consent(contact, topic, granted=True, source="staff", proof={}, by=holder)
    for link in ({"lead": lead}, {"contact": contact}):
        Score.objects.create(total=1, updated_at=timezone.now(), **link)
    email = MarketingEmail.objects.create(
        name="Link sweep e-mail", subject="Hello", status=EmailStatus.SENT, segment=static_list, topic=topic
    )
    Recipient.objects.create(email=email, contact=contact, address="link-sweep@people.example", message_id="<sweep>")


def build_cases(holder: User, outsider: User, company: models.Model, contact: models.Model, deal: models.Model) -> None:
    """The holder's cases linking to the outsider's records and case, and to an unassigned case in
    the holder's queue (seen by the queue's members however their role sees owners)."""
    their_order = create_order(by=outsider, owner=outsider, company=company)
    their_case = create_case(by=outsider, subject="Theirs", owner=outsider)
    queue = holder.teams.order_by("pk").first()
    waiting = create_case(by=outsider, subject="Waiting in the queue", team=queue)
    category = CaseCategory.objects.order_by("pk").first()
    links = {"contact": contact, "company": company, "deal": deal, "order": their_order, "product": ProductFactory()}
    mine = create_case(by=holder, subject="Mine", owner=holder, team=queue, category=category, **links)
    queued = create_case(by=holder, subject="Mine too", owner=holder, **links)
    Case.objects.filter(pk=mine.pk).update(merged_into=their_case)
    Case.objects.filter(pk=queued.pk).update(merged_into=waiting)
    attachment = CaseAttachment(storage_key=f"sweep/{mine.pk}", name="sweep.txt", content_type="text/plain", size=1)
    add_message(mine, by=None, author_kind="customer", contact=contact, body_text="Hello", attachments=[attachment])
