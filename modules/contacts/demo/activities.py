"""Demo activities over the last months and the weeks ahead, with follow-up chains."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_noop

from identity.models import User
from modules.activities.choices import ActivityKind, ActivityStatus, Direction, Outcome, Priority
from modules.activities.models import Activity
from modules.contacts.choices import TimelineKind
from modules.contacts.demo.builder import (
    BATCH,
    DemoBase,
    _,
    bulk_create_dated,
)
from modules.sales.choices import DealStatus, LeadStatus
from modules.sales.models import (
    Deal,
)


class ActivityRecords(DemoBase):
    def _subject(self, kind: str, person: str, organisation: str, topic: str) -> str:
        templates: dict[str, tuple[str, ...]] = {
            ActivityKind.CALL: (
                gettext_noop("Call with %(person)s"),
                gettext_noop("Discovery call: %(topic)s"),
                gettext_noop("Check in with %(person)s"),
            ),
            ActivityKind.MEETING: (
                gettext_noop("Meeting at %(organisation)s"),
                gettext_noop("Demo: %(topic)s"),
                gettext_noop("Workshop with %(person)s"),
            ),
            ActivityKind.TASK: (
                gettext_noop("Send the proposal to %(person)s"),
                gettext_noop("Prepare the offer: %(topic)s"),
                gettext_noop("Update the contract draft for %(organisation)s"),
            ),
            ActivityKind.EMAIL: (
                gettext_noop("Pricing sent to %(person)s"),
                gettext_noop("Case studies for %(organisation)s"),
            ),
            ActivityKind.NOTE: (
                gettext_noop("Notes from the talk with %(person)s"),
                gettext_noop("%(organisation)s: budget approved for next quarter"),
            ),
        }
        template = _(self.pick(templates[kind]))
        return template % {"person": person, "organisation": organisation, "topic": topic}

    def _activity(
        self,
        at: datetime,
        owner: User | None,
        links: dict[str, Any],
        person: str,
        organisation: str,
        topic: str,
        *,
        not_before: datetime,
    ) -> Activity:
        """An activity at ``at`` on ``links``, planned (created) no earlier than ``not_before``: the
        moment the last of the records it links was created."""
        activity = self._drawn_activity(at, owner, links, person, organisation, topic, not_before=not_before)
        self.created[id(activity)] = max(self.created[id(activity)], not_before)
        return activity

    def _drawn_activity(
        self,
        at: datetime,
        owner: User | None,
        links: dict[str, Any],
        person: str,
        organisation: str,
        topic: str,
        *,
        not_before: datetime,
    ) -> Activity:
        kind = self.rng.choices(
            [ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING, ActivityKind.TASK, ActivityKind.NOTE],
            weights=[30, 18, 15, 22, 15],
        )[0]
        activity = Activity(
            kind=kind,
            subject=self._subject(kind, person, organisation, topic),
            assignee=owner,
            created_by=owner,
            priority=self.rng.choices([Priority.LOW, Priority.NORMAL, Priority.HIGH], weights=[2, 7, 1])[0],
            **links,
        )
        future = at > self.now
        if kind == ActivityKind.NOTE:
            if future:
                at = max(self.now - timedelta(hours=self.rng.randint(1, 72)), not_before)
            activity.status, activity.completed_at, activity.completed_by = ActivityStatus.DONE, at, owner
            activity.body = _("Interested; wants a follow-up before the end of the month.")
            self.created[id(activity)] = at
            return activity
        at = max(at.replace(minute=self.rng.choice((0, 30))), not_before)  # rounding must not go before it
        activity.due_at = at
        if kind == ActivityKind.MEETING:
            activity.ends_at = at + timedelta(minutes=self.rng.choice((30, 60, 90)))
            activity.location = self.rng.choice((organisation, _("Video call"), _("Our office")))
        if kind in (ActivityKind.CALL, ActivityKind.EMAIL):
            activity.direction = self.rng.choices([Direction.OUTBOUND, Direction.INBOUND], weights=[3, 1])[0]
        if future:
            activity.status = ActivityStatus.OPEN
            if kind in (ActivityKind.MEETING, ActivityKind.CALL):
                activity.remind_at = at - timedelta(minutes=15)
            self.created[id(activity)] = self.now - timedelta(days=self.rng.uniform(0.2, 10))
            return activity
        logged = kind in (ActivityKind.CALL, ActivityKind.EMAIL) and self.rng.random() < 0.5
        self.created[id(activity)] = at if logged else at - timedelta(days=self.rng.uniform(0.5, 10))
        roll = self.rng.random()
        if not logged and roll < 0.05:
            activity.status = ActivityStatus.CANCELLED
        elif not logged and roll < 0.15 and at > self.now - timedelta(days=14):
            activity.status = ActivityStatus.OPEN  # overdue
        else:
            activity.status = ActivityStatus.DONE
            activity.completed_at = at if logged else min(at + timedelta(minutes=self.rng.randint(15, 240)), self.now)
            activity.completed_by = owner
            if kind == ActivityKind.CALL:
                activity.outcome = self.rng.choices(
                    [Outcome.SUCCESSFUL, Outcome.NO_ANSWER, Outcome.LEFT_MESSAGE, Outcome.RESCHEDULED],
                    weights=[6, 2, 2, 1],
                )[0]
        return activity

    def activities(self) -> None:
        target = self.size.activities
        rows: list[Activity] = []
        chains: list[tuple[Activity, Activity]] = []  # (origin, follow-up)
        deal_last: dict[int, datetime] = {}
        for deal in self.deal_list:
            start, end = self.deal_story[id(deal)]
            company, contact = self.deal_links[id(deal)]
            person, organisation = contact.full_name, company.name
            topic = deal.name.rsplit(" — ", 1)[-1]
            links: dict[str, Any] = {"deal": deal, "company": company, "contact": contact}
            moments = sorted(self.between(start, end) for _ in range(self.rng.randint(3, 7)))
            if deal.status == DealStatus.OPEN:
                moments += [self.now + timedelta(days=self.rng.uniform(0.5, 28)) for _ in range(self.rng.randint(1, 2))]
            previous: Activity | None = None
            for moment in moments:
                activity = self._activity(moment, deal.owner, links, person, organisation, topic, not_before=start)
                rows.append(activity)
                if (
                    previous is not None
                    and previous.status == ActivityStatus.DONE
                    and previous.kind in (ActivityKind.CALL, ActivityKind.MEETING)
                    and activity.kind != ActivityKind.NOTE
                    and activity.due_at is not None
                    and previous.completed_at is not None
                    and previous.completed_at <= activity.due_at
                    and self.rng.random() < 0.5
                ):
                    chains.append((previous, activity))
                    self.created[id(activity)] = previous.completed_at
                if activity.completed_at is not None:
                    deal_last[id(deal)] = max(deal_last.get(id(deal), activity.completed_at), activity.completed_at)
                previous = activity
        for lead in self.lead_list:
            if lead.status in (LeadStatus.NEW, LeadStatus.CONVERTED):
                continue
            lead_links: dict[str, Any] = {"lead": lead}
            for _index in range(self.rng.randint(1, 3)):
                moment = self.between(self.created[id(lead)], self.now + timedelta(days=10))
                topic = _("First conversation")
                rows.append(
                    self._activity(
                        moment, lead.owner, lead_links, lead.full_name, lead.company_name, topic,
                        not_before=self.created[id(lead)],
                    )
                )  # fmt: skip
        if self.admin is not None:
            rows += self._admins_day(self.admin)
        contacts = self.contact_list
        while len(rows) < target:
            contact = self.pick(contacts)
            moment = self.between(
                max(self.created[id(contact)], self.now - timedelta(days=183)), self.now + timedelta(days=21)
            )
            company = self.contact_company[id(contact)]
            links = {"contact": contact, "company": company}
            rows.append(
                self._activity(
                    moment, contact.owner, links, contact.full_name, company.name, _("Account review"),
                    not_before=self.created[id(contact)],
                )
            )  # fmt: skip
        rows = rows[:target]
        kept = {id(activity) for activity in rows}
        bulk_create_dated(Activity, rows, self.created)
        follow_ups = []
        for origin, follow_up in chains:
            if id(origin) in kept and id(follow_up) in kept:
                follow_up.origin = origin
                follow_ups.append(follow_up)
        Activity.objects.bulk_update(follow_ups, ["origin"], batch_size=BATCH)
        for deal in self.deal_list:
            if id(deal) in deal_last:
                deal.last_activity_at = deal_last[id(deal)]
        Deal.objects.bulk_update(
            [d for d in self.deal_list if id(d) in deal_last], ["last_activity_at"], batch_size=BATCH
        )
        for activity in rows:
            links = {name: getattr(activity, name) for name in ("company", "contact", "lead", "deal")}
            created = self.created[id(activity)]
            planned = "done" if activity.status == ActivityStatus.DONE and activity.completed_at == created else "open"
            steps = [_step("created", created, activity.created_by)]
            # One entry per activity, at its latest step, with the steps before it (as the services write).
            if activity.status == ActivityStatus.DONE and activity.completed_at and activity.completed_at > created:
                steps.append(_step("completed", activity.completed_at, activity.completed_by))
            elif activity.status == ActivityStatus.CANCELLED:
                steps.append(_step("cancelled", self.between(created, activity.due_at or created), activity.created_by))
            last = steps[-1]
            data: dict[str, Any] = {"event": last["event"], "status": planned}
            if len(steps) > 1:
                data["history"] = [
                    {"event": step["event"], "at": step["at"].isoformat(), "actor": step["actor"]} for step in steps
                ]
            self.entry(TimelineKind.ACTIVITY, last["at"], last["by"], data, activity=activity, **links)

    def _admins_day(self, admin: User) -> list[Activity]:
        """What the admin who signs in to the demo has on today: a call left overdue since
        yesterday, and a call, a meeting and a task in the hours ahead, with their own customers."""
        mine = [contact for contact in self.contact_list if contact.owner_id == admin.pk] or self.contact_list
        plan = (
            (ActivityKind.CALL, timedelta(days=-1)),
            (ActivityKind.CALL, timedelta(hours=1)),
            (ActivityKind.MEETING, timedelta(hours=2)),
            (ActivityKind.TASK, timedelta(hours=3)),
        )
        rows = []
        for kind, offset in plan:
            contact = self.pick(mine)
            company = self.contact_company[id(contact)]
            at = (self.now + offset).replace(minute=0)
            activity = Activity(
                kind=kind, subject=self._subject(kind, contact.full_name, company.name, _("Account review")),
                assignee=admin, created_by=admin, priority=Priority.NORMAL, status=ActivityStatus.OPEN, due_at=at,
                contact=contact, company=company,
            )  # fmt: skip
            if kind == ActivityKind.MEETING:
                activity.ends_at, activity.location = at + timedelta(hours=1), company.name
            if kind != ActivityKind.TASK and at > self.now:
                activity.remind_at = at - timedelta(minutes=15)
            self.created[id(activity)] = max(self.now - timedelta(days=2), self.created[id(contact)])
            rows.append(activity)
        return rows

    # ---- catalog, quotes, money ------------------------------------------------------------------


def _step(event: str, at: datetime, by: User | None) -> dict[str, Any]:
    return {"event": event, "at": at, "actor": by.pk if by else None, "by": by}
