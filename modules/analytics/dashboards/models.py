"""Dashboards: a grid of widgets, each a saved report or a registered widget kind, shared like a
saved report and read under one period and owner filter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.analytics.dashboards.periods import Period
from modules.analytics.reports.choices import Sharing

GRID_COLUMNS = 12
MAX_HEIGHT = 12
MAX_ROW = 1000


class Dashboard(models.Model):
    """A dashboard of ``owner``'s, opened by whoever it is shared with (``selectors.dashboards_for``);
    every reader sees the figures of their own visible records."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboards")
    sharing = models.CharField(_("shared with"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    shared_role = models.ForeignKey(
        "identity.Role", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("role")
    )
    shared_team = models.ForeignKey(
        "identity.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    period = models.CharField(_("default period"), max_length=20, choices=Period.choices, default=Period.THIS_QUARTER)
    # The ready-made dashboard it was created from ("": built from a blank one).
    ready_made = models.CharField(_("ready-made"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(sharing="role") & models.Q(shared_role__isnull=False))
                | (~models.Q(sharing="role") & models.Q(shared_role__isnull=True)),
                name="analytics_dashboard_role_when_shared_with_a_role",
            ),
            models.CheckConstraint(
                condition=(models.Q(sharing="team") & models.Q(shared_team__isnull=False))
                | (~models.Q(sharing="team") & models.Q(shared_team__isnull=True)),
                name="analytics_dashboard_team_when_shared_with_a_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Widget(models.Model):
    """One tile of a dashboard: a saved report or a registered kind (``widgets.WidgetKind``), at
    ``x``/``y`` with ``width``/``height`` on the 12-column grid. ``options`` holds what a widget
    may choose (a report widget's ``date_field`` for the period filter)."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="widgets")
    report = models.ForeignKey(
        "analytics_reports.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    x = models.PositiveSmallIntegerField(default=0)
    y = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveSmallIntegerField(_("width"), default=4)
    height = models.PositiveSmallIntegerField(_("height"), default=2)
    options = models.JSONField(_("options"), default=dict, blank=True)

    class Meta:
        ordering = ["dashboard", "y", "x", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(report__isnull=False) & models.Q(kind=""))
                | (models.Q(report__isnull=True) & ~models.Q(kind="")),
                name="analytics_widget_a_report_or_a_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(width__gte=1, height__gte=1, height__lte=MAX_HEIGHT, y__lte=MAX_ROW)
                & models.Q(x__lte=GRID_COLUMNS - models.F("width")),
                name="analytics_widget_on_the_grid",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.kind or f"#{self.pk}"


class ClosedDealFact(models.Model):
    """How one won or lost deal is counted in ``ClosedDealsDaily`` (``closed_deals_rollup``): the
    keys and figures it added, so that a change to the deal takes exactly that back out before its
    new figures go in. One row per closed deal; open deals have none."""

    deal_id = models.BigIntegerField(primary_key=True)
    # The local day it closed in the rollup's time zone (null: closed without a date).
    day = models.DateField(null=True)
    owner_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=10)
    # Its amount in the base currency at the rate of that day, rounded to cents (null: no rate).
    amount = models.DecimalField(max_digits=30, decimal_places=2, null=True)
    # From creation to close, in microseconds (null without a close moment).
    cycle_us = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"deal {self.deal_id}: {self.status} on {self.day}"


class ClosedDealsDaily(models.Model):
    """Won and lost deals per local day, owner and status: what the period KPIs and the monthly
    chart read instead of the deals when their filters allow (``closed_deals_rollup``)."""

    day = models.DateField(null=True)
    owner_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=10)
    deals = models.BigIntegerField()
    amount = models.DecimalField(max_digits=30, decimal_places=2)
    # Deals with an amount in the base currency (a sum of none is no figure, not zero).
    amounts = models.BigIntegerField()
    cycle_us = models.DecimalField(max_digits=30, decimal_places=0)
    cycles = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner_id", "status"], nulls_distinct=False, name="analytics_closed_daily_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id} {self.status}: {self.deals}"


# The rollups (``rollups``; the closed deals' too): one fact row per record saying what it adds, and
# the sums per combination of keys that the widgets read.


class RollupState(models.Model):
    """Under what one of the ``rollups`` was built: its figures hold for this zone (the local days of
    a rollup by day), this base currency and the exchange rates in force on ``rates_day`` (open
    deals convert at today's rate; the closed deals' rollup, which converts at each close day's
    rate, keeps ``rates_day`` empty and the signature of every rate); anything else reads the
    records until it is rebuilt."""

    key = models.CharField(max_length=40, primary_key=True)
    zone = models.CharField(max_length=64)
    currency = models.CharField(max_length=3)
    rates_day = models.DateField(null=True)
    # md5 of the rate of each currency in force on ``rates_day`` (empty for a rollup without amounts;
    # of every dated rate for the closed deals').
    rates = models.CharField(max_length=32, blank=True)
    built_at = models.DateTimeField()
    # When the last change was applied (or the build ended): the figures are as of then.
    synced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} rollup in {self.zone}, built {self.built_at}"


class OpenDealFact(models.Model):
    """What one open deal adds to ``OpenDealsByStage``: its owner, stage and amount in the base
    currency at today's rate, rounded to cents (null: no rate)."""

    deal_id = models.BigIntegerField(primary_key=True)
    owner_id = models.BigIntegerField(null=True)
    stage_id = models.BigIntegerField(null=True)
    amount = models.DecimalField(max_digits=30, decimal_places=2, null=True)

    def __str__(self) -> str:
        return f"open deal {self.deal_id}"


class OpenDealsByStage(models.Model):
    """Open deals per owner and stage: the open pipeline, open deals by stage, pipeline by owner."""

    owner_id = models.BigIntegerField(null=True)
    stage_id = models.BigIntegerField(null=True)
    records = models.BigIntegerField()
    amount = models.DecimalField(max_digits=30, decimal_places=2)
    # Deals with an amount in the base currency (a sum of none is no figure, not zero).
    amounts = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner_id", "stage_id"], nulls_distinct=False, name="analytics_open_deals_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.stage_id}: {self.records}"


class DoneActivityFact(models.Model):
    """What one done activity adds to ``DoneActivitiesDaily``: the local day it was completed in the
    rollup's zone (null: no completion moment), its assignee and type."""

    activity_id = models.BigIntegerField(primary_key=True)
    day = models.DateField(null=True)
    assignee_id = models.BigIntegerField(null=True)
    kind = models.CharField(max_length=20)

    def __str__(self) -> str:
        return f"activity {self.activity_id} done on {self.day}"


class DoneActivitiesDaily(models.Model):
    """Done activities per local day, assignee and type: completed per rep, by type per week."""

    day = models.DateField(null=True)
    assignee_id = models.BigIntegerField(null=True)
    kind = models.CharField(max_length=20)
    records = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "assignee_id", "kind"], nulls_distinct=False, name="analytics_done_activities_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.assignee_id} {self.kind}: {self.records}"


class CaseFact(models.Model):
    """What one case adds to ``CasesByStatus``: its agent, queue (team), status and priority."""

    case_id = models.BigIntegerField(primary_key=True)
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    status_id = models.BigIntegerField()
    priority = models.CharField(max_length=10)

    def __str__(self) -> str:
        return f"case {self.case_id}"


class CasesByStatus(models.Model):
    """Cases per agent, queue, status and priority (the status's category is read from the status
    when counted, so renaming or recategorising a status needs no rebuild): the open backlog by
    status and by priority."""

    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    status_id = models.BigIntegerField()
    priority = models.CharField(max_length=10)
    records = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner_id", "team_id", "status_id", "priority"],
                nulls_distinct=False,
                name="analytics_cases_by_status_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.team_id} {self.status_id} {self.priority}: {self.records}"


class OpenActivityFact(models.Model):
    """What one open activity with a due time adds to ``OpenActivitiesDaily``: the local day it is
    due in the rollup's zone and its assignee."""

    activity_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()
    assignee_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"activity {self.activity_id} due on {self.day}"


class OpenActivitiesDaily(models.Model):
    """Open activities per local due day and assignee: the overdue count of every day before today
    (today's are read from the activities, as they fall due by the minute)."""

    day = models.DateField()
    assignee_id = models.BigIntegerField(null=True)
    records = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "assignee_id"], nulls_distinct=False, name="analytics_open_activities_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.assignee_id}: {self.records}"


class CaseOpenedFact(models.Model):
    """What one case adds to ``CasesOpenedDaily``: the local day it was opened, its agent, queue and
    channel."""

    case_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10)

    def __str__(self) -> str:
        return f"case {self.case_id} opened on {self.day}"


class CasesOpenedDaily(models.Model):
    """Cases per local day opened, agent, queue and channel: new cases by channel, new per week."""

    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=10)
    records = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner_id", "team_id", "channel"],
                nulls_distinct=False,
                name="analytics_cases_opened_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id} {self.team_id} {self.channel}: {self.records}"


class CaseSolvedFact(models.Model):
    """What one solved case adds to ``CasesSolvedDaily``: the local day it was solved, its agent
    and queue."""

    case_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"case {self.case_id} solved on {self.day}"


class CasesSolvedDaily(models.Model):
    """Cases per local day solved, agent and queue: solved per week."""

    day = models.DateField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    records = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner_id", "team_id"], nulls_distinct=False, name="analytics_cases_solved_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id} {self.team_id}: {self.records}"
