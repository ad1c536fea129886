from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

WEEKDAYS = (
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
    (5, _("Saturday")), (6, _("Sunday")),
)  # fmt: skip


class BusinessCalendar(models.Model):
    """When a team works: a time zone, working intervals per weekday and holidays (a country's public
    holidays from the ``holidays`` package plus days entered by hand). One calendar is the default;
    a queue (team) may have its own. SLA targets count only the calendar's working time."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64)
    # ISO 3166-1 alpha-2 country and optional subdivision whose public holidays are days off.
    country = models.CharField(_("public holidays of"), max_length=2, blank=True)
    subdivision = models.CharField(_("region"), max_length=10, blank=True)
    is_default = models.BooleanField(_("default calendar"), default=False)
    team = models.OneToOneField(
        "identity.Team", verbose_name=_("queue"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="business_calendar",
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkingInterval(models.Model):
    """Working time on one weekday, in the calendar's wall clock: minutes from midnight, so the end
    of the day (24:00) can be said. Intervals of a day do not overlap nor cross midnight."""

    calendar = models.ForeignKey("service_sla.BusinessCalendar", on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start_minute = models.PositiveSmallIntegerField(_("from"))
    end_minute = models.PositiveSmallIntegerField(_("until"))

    class Meta:
        ordering = ["weekday", "start_minute", "id"]
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_minute__lt=models.F("end_minute"), end_minute__lte=1440, weekday__lte=6),
                name="sla_interval_inside_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {clock_text(self.start_minute)}–{clock_text(self.end_minute)}"


class CalendarHoliday(models.Model):
    """A day off entered by hand (a company holiday, a bridge day), besides the public holidays."""

    calendar = models.ForeignKey("service_sla.BusinessCalendar", on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_one_holiday_a_day")]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"


def clock_text(minute: int) -> str:
    """A minute of the day as HH:MM (1440 is 24:00)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"
