"""Dates and seeded names in the reader's (or the workspace's) language: English and Romanian."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.localized_dates import LocalizedDateField, format_hint
from modules.contacts.choices import TimelineKind
from modules.sales.choices import OrderStatus
from modules.sales.models import LostReason, Pipeline, Stage
from modules.sales.services.pipelines import seed_sales
from tests.factories import ActivityFactory
from tests.tenancy import TenantFixture


@pytest.mark.parametrize(
    ("language", "typed", "hint"),
    [("en", "2026-03-04", "yyyy-mm-dd"), ("ro", "04.03.2026", "dd.mm.yyyy"), ("pl", "04.03.2026", "dd.mm.yyyy")],
)
def test_a_date_is_typed_and_shown_in_the_languages_format(language: str, typed: str, hint: str):
    with translation.override(language):
        field = LocalizedDateField()
        value = field.clean(typed)
        iso = field.clean("2026-03-04")  # ISO 8601 is read in every language

        assert value == iso
        assert (value.month, value.day) == (3, 4)
        assert format_hint() == hint
        assert field.widget.format_value(value) == typed
        assert 'type="text"' in field.widget.render("day", value)


def test_a_day_first_date_is_not_read_month_first_in_romanian():
    with translation.override("ro"):
        assert LocalizedDateField().clean("12.05.2026").month == 5


def test_the_activity_list_shows_the_year_in_the_readers_short_format(alpha: TenantFixture):
    due = timezone.now() + timedelta(days=400)
    with alpha.active():
        ActivityFactory(subject="Far away call", assignee=alpha.user(), due_at=due)
    english = alpha.client()
    romanian = alpha.client()
    romanian.cookies["django_language"] = "ro"

    in_english = english.get("/activities/", {"status": "all"}).content.decode()
    in_romanian = romanian.get("/activities/", {"status": "all"}).content.decode()

    for html in (in_english, in_romanian):
        at = html.index("Far away call")
        row = html[html.rfind("<tr", 0, at) : html.index("</tr>", at)]
        shown = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', row)
        assert len(shown) == 1
        assert re.search(r"\d\d\.\d\d\.\d{4}", shown[0])
        assert str(due.year) in shown[0] or str(due.year + 1) in shown[0]


def test_the_activity_filter_reads_dates_in_the_readers_format(alpha: TenantFixture):
    romanian = alpha.client()
    romanian.cookies["django_language"] = "ro"

    day_first = romanian.get("/activities/", {"due_from": "25.12.2026"})
    iso = alpha.client().get("/activities/", {"due_from": "2026-12-25"})
    nonsense = romanian.get("/activities/", {"due_from": "12/25/2026x"})

    assert day_first.status_code == 200
    assert iso.status_code == 200
    assert nonsense.status_code == 400


@pytest.mark.parametrize("language", ["en", "ro"])
def test_a_new_workspace_gets_its_pipeline_and_lost_reasons_in_its_language(alpha: TenantFixture, language: str):
    with alpha.active():
        Stage.objects.all().delete()
        Pipeline.objects.all().delete()
        LostReason.objects.all().delete()
        with translation.override(language):
            seed_sales()
            expected = [translation.gettext(name) for name in ("Qualification", "Won", "Lost")]
            pipeline_name = translation.gettext("Sales pipeline")
            reason = translation.gettext("Chose a competitor")

        pipeline = Pipeline.objects.get()
        names = list(pipeline.stages.order_by("position").values_list("name", flat=True))
        assert pipeline.name == pipeline_name
        assert [names[0], names[-2], names[-1]] == expected
        assert LostReason.objects.filter(name=reason).exists()
        if language == "ro":
            assert pipeline.name == "Pipeline de vânzări"
            assert names[0] == "Calificare"


@pytest.mark.parametrize(("language", "order", "paid", "sort_order"), [("pl", "Zamówienie", "Opłacone", "Kolejność")])
def test_a_sales_order_is_not_named_like_a_sort_order(language: str, order: str, paid: str, sort_order: str):
    """'Order' means two things in English: the sales order keeps its own word in other languages."""
    with translation.override(language):
        assert str(TimelineKind.ORDER.label) == order
        assert str(OrderStatus.PAID.label) == paid
        assert translation.gettext("Order") == sort_order
