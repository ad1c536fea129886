"""Web-form submissions on the list framework (``modules.lists``): every form's submissions, and
one form's (the same declaration bound to the form). Filters by status, day span and the address
given; saved views are shared by both lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.input_bounds import value_problem
from identity.models import User
from modules.lists.definition import Column, Filter, ListDefinition
from modules.lists.keys import register_list_key
from modules.marketing.webforms.choices import SubmissionStatus
from modules.marketing.webforms.models import Submission, WebForm


def _date(value: str) -> date | None:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return None if value_problem(parsed) or parsed.year < 2 or parsed.year > 9998 else parsed


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def submission_rows(user: User) -> QuerySet[Submission]:
    return Submission.objects.select_related("form", "lead", "contact")


def filter_submissions(rows: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    """``rows`` narrowed by the list's parameters (the export's names: ``status``, ``since``,
    ``until``, ``q``); values that name nothing are ignored."""
    if params.get("status", "") in SubmissionStatus.values:
        rows = rows.filter(status=params["status"])
    form = params.get("form", "")
    if form.isdigit() and not value_problem(int(form)):
        rows = rows.filter(form_id=int(form))
    since = _date(params.get("since", ""))
    if since is not None:
        rows = rows.filter(created_at__gte=_start(since))
    until = _date(params.get("until", ""))
    if until is not None:
        rows = rows.filter(created_at__lt=_start(until) + timedelta(days=1))
    query = params.get("q", "").strip()
    if query:
        rows = rows.filter(data__email__icontains=query)
    return rows


def _form_options(user: User) -> list[tuple[Any, Any]]:
    return list(WebForm.objects.order_by("name", "id").values_list("pk", "name")[:500])


def _answer(row: Submission, name: str) -> str:
    return str(row.data.get(name, "")) if isinstance(row.data, dict) else ""


def _source(row: Submission) -> str:
    if not row.utm_source:
        return ""
    medium = f" / {row.utm_medium}" if row.utm_medium else ""
    campaign = f" · {row.utm_campaign}" if row.utm_campaign else ""
    return f"{row.utm_source}{medium}{campaign}"


FILTERS = (
    Filter("q", _("E-mail contains"), placeholder=_("Address")),
    Filter("status", _("Status"), options=lambda user: SubmissionStatus.choices, any_label=_("Any status")),
    Filter("since", _("From"), input_type="date"),
    Filter("until", _("To"), input_type="date"),
)
COLUMNS = (
    Column("created_at", _("Submitted"), "lists/cells/datetime.html", sort="submitted", phone=True),
    Column("status", _("Status"), value=lambda row: row.get_status_display(), phone=True),
    Column("email", _("E-mail"), value=lambda row: _answer(row, "email")),
    Column(
        "record",
        _("Record"),
        "marketing_forms/cells/record.html",
        value=lambda row: row,
        export=lambda row: row.lead or row.contact,
    ),
    Column("source", _("Source"), value=_source),
    Column("page", _("Page"), value=lambda row: row.page_url or row.referrer, default=False),
)

ALL_SUBMISSIONS = ListDefinition(
    key=register_list_key("form_submission"),
    title=_("Form submissions"),
    namespace="marketing-forms",
    prefix="submission",
    module_permission="marketing",
    rows=submission_rows,
    apply_filters=filter_submissions,
    filters=(*FILTERS, Filter("form", _("Form"), options=_form_options, any_label=_("Any form"))),
    columns=(
        *COLUMNS[:1],
        Column(
            "form",
            _("Form"),
            "lists/cells/link.html",
            value="form.name",
            url=lambda row: reverse("marketing-forms:submissions", args=[row.form_id]),
        ),
        *COLUMNS[1:],
    ),
    sorts={"submitted": "created_at"},
    default_sort="-submitted",
    custom_fields=False,
    owner_field=None,
    empty_text=_("No submissions yet."),
    url_names={"list": "marketing-forms:all-submissions"},
    exportable=True,
)
# One form's submissions: ``for_form`` binds it to the form (its URLs carry the form's id).
FORM_SUBMISSIONS = replace(
    ALL_SUBMISSIONS,
    prefix="form-submission",
    filters=FILTERS,
    columns=COLUMNS,
    toolbar="marketing_forms/submissions_toolbar.html",
    url_names={"list": "marketing-forms:submissions"},
    exportable=False,  # its toolbar exports every answer of the form (``views.staff.submission_export``)
)


def for_form(form: WebForm) -> ListDefinition:
    form_id = form.pk
    return replace(
        FORM_SUBMISSIONS,
        title=_("Submissions of %(name)s") % {"name": form.name},
        rows=lambda user: submission_rows(user).filter(form_id=form_id),
        url_args=(form_id,),
    )
