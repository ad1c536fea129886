"""The service module's part of the demo tenant: two queues (Support and Billing) with their agents,
and about forty cases of the demo's contacts in every status category, each with a conversation
(the customer's messages, the agents' replies and internal notes), spread over the last 60 days.

The cases are written through ``services.cases`` (timeline entries, outbox events and the case
hooks as in real use) and then dated back: the services stamp the present, the demo needs a past.
Choices come from a fixed seed and dates are relative to now, so the demo looks current every day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import Role, Team, User
from identity.services.accounts import ensure_user
from identity.services.roles import ensure_system_roles
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Contact, TimelineEntry
from modules.service.choices import CaseChannel, CasePriority, MessageAuthor, MessageKind, StatusCategory
from modules.service.knowledge.demo import load_knowledge_demo
from modules.service.models import Case, CaseCategory, CaseMessage
from modules.service.services.cases import add_message, create_case, update_case
from modules.service.services.statuses import seed_service, status_for

CASE_COUNT = 40
DAYS = 60
# (first name, last name, queue): the demo's support agents.
AGENTS = (
    ("Sofia", "Marin", "support"),
    ("Tomasz", "Nowak", "support"),
    ("Claire", "Dubois", "billing"),
)
# Where each case ends up, in turn: every category, most cases still being worked on.
OUTCOMES = (
    StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.PENDING, StatusCategory.OPEN, StatusCategory.SOLVED,
    StatusCategory.ON_HOLD, StatusCategory.NEW, StatusCategory.CLOSED, StatusCategory.OPEN, StatusCategory.SOLVED,
)  # fmt: skip


@dataclass(frozen=True)
class Story:
    queue: str
    category: str
    subject: str
    question: str
    answer: str
    note: str
    follow_up: str


def _stories() -> list[Story]:
    return [
        Story(
            "support",
            _("Problem"),
            _("The export to Excel stops halfway"),
            _("Hello, when I export our customer list the file stops after about 2,000 rows. Can you help?"),
            _("Thank you for the report. Could you tell us which browser you use and send the file you get?"),
            _("Reproduced with a list of 5,000 rows; the export job times out."),
            _("It is Firefox. The file is attached to my previous e-mail."),
        ),
        Story(
            "support",
            _("Question"),
            _("How do I add a colleague?"),
            _("We hired a new sales person. How do I give her access?"),
            _("Go to Settings › Users and choose “Invite”. She receives an e-mail with a link to join."),
            _("Customer is on the Professional plan: seats are available."),
            _("Found it, thank you!"),
        ),
        Story(
            "billing",
            _("Billing"),
            _("Invoice charged twice"),
            _("Our card was charged twice for the March invoice. Please refund one payment."),
            _("We are sorry about that. We have asked our payment provider to refund the second charge."),
            _("Duplicate charge confirmed in the payment log; refund requested."),
            _("Thank you. How long does the refund take?"),
        ),
        Story(
            "billing",
            _("Billing"),
            _("Change the billing address"),
            _("We moved offices. Please put the new address on our next invoices."),
            _("Done: the next invoice will show the new address. Do you also need the last one corrected?"),
            _("Address updated in the billing profile."),
            _("Yes, please correct the last one as well."),
        ),
        Story(
            "support",
            _("Returns"),
            _("Return of a damaged device"),
            _("The scanner we received last week arrived with a cracked screen. How can we return it?"),
            _("We are sorry to hear it. We have sent you a prepaid return label by e-mail."),
            _("Courier confirmed pickup for Thursday."),
            _("Label received, the parcel is ready."),
        ),
        Story(
            "support",
            _("Feature request"),
            _("Calendar sync with our phones"),
            _("Could the meetings from the CRM appear in the calendars on our phones?"),
            _("Yes: each user finds a private calendar feed link under their profile to add to their phone."),
            _("Asked product about two-way sync; only the feed exists today."),
            _("That works for us, thanks."),
        ),
        Story(
            "support",
            _("Problem"),
            _("Cannot sign in since this morning"),
            _("Since this morning I get “wrong password” although I did not change it."),
            _("We have sent you a link to choose a new password. Please let us know if it does not arrive."),
            _("Account locked after five attempts from a new device."),
            _("The link worked, I am back in."),
        ),
        Story(
            "billing",
            _("Billing"),
            _("Quote for more seats"),
            _("We would like to add ten users. Can you send us a quote?"),
            _("Here is the quote for ten more seats on your current plan, valid for 30 days."),
            _("Offered the yearly discount; waiting for their purchasing department."),
            _("Our purchasing department will approve it next week."),
        ),
    ]


def _agents(roles: dict[str, Role], teams: dict[str, Team]) -> dict[str, list[User]]:
    """The demo's agents per queue; they share the demo users' password (none when they have none)."""
    domain = User.objects.filter(is_active=True).order_by("pk").values_list("email", flat=True).first() or ""
    domain = domain.rsplit("@", 1)[-1] or "demo.example"
    colleague = User.objects.filter(role__key="sales_rep").order_by("pk").first()
    agents: dict[str, list[User]] = {key: [] for key in teams}
    for first, last, queue in AGENTS:
        user = ensure_user(
            email=f"{first.lower()}.{last.lower()}@{domain}",
            role=roles["support_agent"],
            full_name=f"{first} {last}",
            password_hash=colleague.password if colleague is not None and colleague.has_usable_password() else None,
        )
        if colleague is None or not colleague.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.teams.add(teams[queue])
        agents[queue].append(user)
    admin = User.objects.filter(role__key="admin", is_active=True).order_by("pk").first()
    if admin is not None:
        admin.teams.add(*teams.values())
        agents["support"].append(admin)
    return agents


def _moments(opened: datetime, count: int, rng: random.Random) -> list[datetime]:
    """``count`` moments from ``opened`` on, hours apart, none later than a few minutes ago."""
    latest = timezone.now() - timedelta(minutes=5)
    moments, moment = [], opened
    for _index in range(count):
        moments.append(min(moment, latest))
        moment += timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
    return sorted(moments)


def _customers(rng: random.Random, now: datetime) -> list[Contact]:
    """Contacts of companies that existed well before the demo's cases begin, picked at random."""
    start = now - timedelta(days=DAYS + 1)
    pool = list(
        Contact.objects.filter(company__isnull=False, created_at__lt=start, company__created_at__lt=start)
        .exclude(Q(email="") | Q(first_name=""))
        .select_related("company")
        .order_by("pk")[:600]
    )
    return rng.sample(pool, min(CASE_COUNT, len(pool)))


def load_demo() -> None:
    seed_service()
    load_knowledge_demo()
    now = timezone.now()
    rng = random.Random(20261206)  # noqa: S311 - demo data, not security
    customers = _customers(rng, now)
    if not customers or Case.objects.exists():
        return
    queues = {
        "support": (_("Support"), _("Questions and problems.")),
        "billing": (_("Billing"), _("Invoices and payments.")),
    }
    teams = {
        key: Team.objects.get_or_create(name=name, defaults={"description": description})[0]
        for key, (name, description) in queues.items()
    }
    agents = _agents(ensure_system_roles(), teams)
    categories = {category.name: category for category in CaseCategory.objects.all()}
    stories = _stories()
    channels = [CaseChannel.EMAIL, CaseChannel.EMAIL, CaseChannel.PORTAL, CaseChannel.PHONE, CaseChannel.WEB_FORM]
    priorities = [CasePriority.NORMAL, CasePriority.NORMAL, CasePriority.HIGH, CasePriority.LOW, CasePriority.URGENT]
    for index, contact in enumerate(customers):
        story = stories[index % len(stories)]
        outcome = OUTCOMES[index % len(OUTCOMES)]
        opened = now - timedelta(days=rng.uniform(0.2, DAYS))
        _write_case(
            contact=contact, story=story, outcome=outcome, opened=opened, rng=rng,
            team=teams[story.queue], agent=rng.choice(agents[story.queue]), category=categories.get(story.category),
            channel=rng.choice(channels), priority=rng.choice(priorities),
        )  # fmt: skip


def _write_case(
    *, contact: Contact, story: Story, outcome: str, opened: datetime, rng: random.Random, team: Team, agent: User,
    category: Any, channel: str, priority: str,
) -> None:  # fmt: skip
    """One case and its conversation through the services, then dated from ``opened`` on."""
    assigned = outcome != StatusCategory.NEW or rng.random() < 0.3
    case = create_case(
        by=None, subject=story.subject, contact=contact, channel=channel, priority=priority, category=category,
        team=team, owner=agent if assigned else None,
    )  # fmt: skip
    customer: dict[str, Any] = {
        "by": None,
        "author_kind": MessageAuthor.CUSTOMER,
        "contact": contact,
        "channel": channel,
    }
    if channel == CaseChannel.EMAIL:
        customer["from_address"] = contact.email
    add_message(case, body_text=story.question, **customer)
    if outcome != StatusCategory.NEW:
        case.refresh_from_db()  # add_message saved its own copy of the row
        update_case(case, by=agent, status=status_for(StatusCategory.OPEN))
        add_message(case, by=agent, author_kind=MessageAuthor.AGENT, kind=MessageKind.NOTE, body_text=story.note)
        add_message(case, by=agent, author_kind=MessageAuthor.AGENT, body_text=story.answer)
        if outcome in (StatusCategory.OPEN, StatusCategory.SOLVED, StatusCategory.CLOSED):
            add_message(case, body_text=story.follow_up, **customer)
        if outcome != StatusCategory.OPEN:
            case.refresh_from_db()
            update_case(case, by=agent, status=status_for(outcome))
    _date_back(case, opened, rng)


def _date_back(case: Case, opened: datetime, rng: random.Random) -> None:
    """Spread what the services stamped now over the case's own past, in the order it happened:
    each timeline entry gets a moment, and each message the moment of its entry."""
    entries = list(TimelineEntry.objects.filter(kind=TimelineKind.CASE, data__case=case.pk).order_by("pk"))
    moments = _moments(opened, len(entries), rng)
    for entry, moment in zip(entries, moments, strict=True):
        TimelineEntry.objects.filter(pk=entry.pk).update(occurred_at=moment)
    messages = list(CaseMessage.objects.filter(case=case).order_by("pk"))
    said = [moment for entry, moment in zip(entries, moments, strict=True) if entry.data.get("action") == "message"]
    moved = [moment for entry, moment in zip(entries, moments, strict=True) if entry.data.get("action") == "updated"]
    for message, moment in zip(messages, said, strict=True):
        CaseMessage.objects.filter(pk=message.pk).update(created_at=moment)
    replies = [at for message, at in zip(messages, said, strict=True)
               if message.author_kind == MessageAuthor.AGENT and message.kind == MessageKind.REPLY]  # fmt: skip
    written = [at for message, at in zip(messages, said, strict=True) if message.author_kind == MessageAuthor.CUSTOMER]
    case.refresh_from_db()
    last = moments[-1]
    Case.objects.filter(pk=case.pk).update(
        created_at=moments[0],
        updated_at=last,
        status_changed_at=moved[-1] if moved else moments[0],
        first_response_at=replies[0] if replies else None,
        last_agent_message_at=replies[-1] if replies else None,
        last_customer_message_at=written[-1] if written else None,
        solved_at=last if case.solved_at else None,
        closed_at=last if case.closed_at else None,
    )
