"""Lead scoring's dashboard widget kind (``modules.analytics.dashboards.widgets``), registered from
``MarketingScoringConfig.ready()``: how the scored contacts and leads spread over score bands.

It reads the scores the reader may see (``selectors.visible_scores``: visible contacts, and leads
with sales), narrowed by the owner filter to the records those users own; scores are current
figures, so the period does not apply. Each bar opens the contact or lead list filtered to its band
(``score_min``/``score_max``) and owner; a team's contacts have no link, the contact list takes one
owner."""

from __future__ import annotations

from django.db.models import Case, CharField, Count, IntegerField, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.models import User
from modules.analytics.dashboards.builtin_support import list_url, owner_params
from modules.analytics.dashboards.widgets import (
    DashboardFilters,
    Display,
    Point,
    Series,
    SharedFilter,
    WidgetData,
    WidgetKind,
    register_widget,
)
from modules.marketing.scoring.selectors import visible_scores

# (lowest, highest) total of each band, inclusive; None is open.
BANDS: tuple[tuple[int | None, int | None], ...] = (
    (None, -1), (0, 24), (25, 49), (50, 74), (75, 99), (100, None),
)  # fmt: skip
LISTS = {"contact": "contacts:contact-list", "lead": "sales:lead-list"}


def _band_label(low: int | None, high: int | None) -> str:
    if low is None:
        return _("Below 0")
    if high is None:
        return _("%(points)s and more") % {"points": low}
    return f"{low}–{high}"


def _band() -> Case:
    whens = [When(total__lte=high, then=Value(index)) for index, (_low, high) in enumerate(BANDS) if high is not None]
    return Case(*whens, default=Value(len(BANDS) - 1), output_field=IntegerField())


def _url(subject: str, band: tuple[int | None, int | None], filters: DashboardFilters) -> str | None:
    owners = owner_params(filters)
    if subject == "contact" and owners and owners[0][0] != "owner":
        return None
    low, high = band
    params = [(name, str(value)) for name, value in (("score_min", low), ("score_max", high)) if value is not None]
    return list_url(LISTS[subject], [*params, *owners])


def score_distribution(user: User, filters: DashboardFilters) -> WidgetData:
    """Scored contacts and leads per band of their total (one grouped query)."""
    scores = visible_scores(user).select_related(None).order_by()
    if filters.owner_ids is not None:
        owners = sorted(filters.owner_ids)
        scores = scores.filter(Q(contact__owner_id__in=owners) | Q(lead__owner_id__in=owners))
    subject = Case(When(contact__isnull=False, then=Value("contact")), default=Value("lead"), output_field=CharField())
    counts = {
        (row["subject"], row["band"]): row["n"]
        for row in scores.annotate(subject=subject, band=_band()).values("subject", "band").annotate(n=Count("pk"))
    }
    subjects = [("contact", _("Contacts"))]
    if any(key[0] == "lead" for key in counts) or user.has_perm("sales.view"):
        subjects.append(("lead", _("Leads")))
    series = tuple(
        Series(
            name,
            tuple(
                Point(_band_label(*band), counts.get((key, index), 0), _url(key, band, filters))
                for index, band in enumerate(BANDS)
            ),
        )
        for key, name in subjects
    )
    return WidgetData(series=series)


def register() -> None:
    register_widget(
        WidgetKind(
            key="marketing-score-distribution", title=gettext_lazy("Lead score distribution"),
            description=gettext_lazy("Scored contacts and leads per band of their current score."),
            display=Display.BAR, compute=score_distribution, needs=("marketing",),
            permission="marketing.view_reports", filters=frozenset({SharedFilter.OWNER}), width=6, height=3,
            order=57,
        )
    )  # fmt: skip
