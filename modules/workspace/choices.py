from django.db import models
from django.utils.translation import gettext_lazy as _


class DateFormat(models.TextChoices):
    """How dates are written on documents the workspace sends (quotes, their public page). Values
    are Django date format strings; empty keeps the reader's language's own format."""

    LANGUAGE = "", _("As the language writes it")
    DAY_MONTH_YEAR_DOTS = "d.m.Y", "31.12.2026"
    DAY_MONTH_YEAR_SLASHES = "d/m/Y", "31/12/2026"
    MONTH_DAY_YEAR = "m/d/Y", "12/31/2026"
    ISO = "Y-m-d", "2026-12-31"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Month(models.IntegerChoices):
    JANUARY = 1, _("January")
    FEBRUARY = 2, _("February")
    MARCH = 3, _("March")
    APRIL = 4, _("April")
    MAY = 5, _("May")
    JUNE = 6, _("June")
    JULY = 7, _("July")
    AUGUST = 8, _("August")
    SEPTEMBER = 9, _("September")
    OCTOBER = 10, _("October")
    NOVEMBER = 11, _("November")
    DECEMBER = 12, _("December")
