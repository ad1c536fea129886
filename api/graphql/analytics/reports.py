"""Saved reports in GraphQL: ``reports`` (those the caller may open) and ``report(id)``, each with
its ``result`` run for the caller — their visible records, narrowed by the credential's scopes and
by ``dateField``/``from``/``to``/``owner`` as a dashboard widget asks (analytics module,
``analytics.view``). A definition that cannot run is a BAD_USER_INPUT naming its part."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import graphene
from django.core.exceptions import ValidationError
from graphql import GraphQLError
from graphql_relay import to_global_id

from api.entities.links import api_access
from api.graphql.analytics.report_subscriptions import ReportSubscriptionType, subscriptions_of
from api.graphql.core import global_id_to_pk, require_module, require_permission
from modules.analytics.reports.models import Report
from modules.analytics.reports.presentation import as_json
from modules.analytics.reports.running import run_saved
from modules.analytics.reports.selectors import reports_for


class ReportHeaderType(graphene.ObjectType):
    """A grouping, measure or column of a result."""

    field = graphene.String(description="The field (null: a count of records).")
    label = graphene.String(required=True)
    bucket = graphene.String(description="A date grouping's bucket: day, week, month, quarter or year.")
    fn = graphene.String(description="A measure's function.")

    class Meta:
        name = "ReportHeader"


class ReportRowType(graphene.ObjectType):
    keys = graphene.List(graphene.String, required=True, description="The groups' raw values (ids, dates).")
    labels = graphene.List(graphene.String, required=True, description="The groups' names, or a listed record's cells.")
    values = graphene.List(graphene.String, required=True, description="The measures, decimals as text.")
    url = graphene.String(description="The record list this group counts, when the list can say it.")

    class Meta:
        name = "ReportRow"


class ReportResultType(graphene.ObjectType):
    plan_module: ClassVar[str] = "analytics"

    dimensions = graphene.List(graphene.NonNull(ReportHeaderType), required=True)
    measures = graphene.List(graphene.NonNull(ReportHeaderType), required=True)
    columns = graphene.List(graphene.NonNull(ReportHeaderType), required=True)
    rows = graphene.List(graphene.NonNull(ReportRowType), required=True)
    truncated = graphene.Boolean(required=True, description="More groups than the result holds (1,000).")
    currency = graphene.String(required=True, description="The base currency amounts are converted to.")
    time_zone = graphene.String(required=True, description="The zone dates are bucketed and compared in.")

    class Meta:
        name = "ReportResult"

    @staticmethod
    def resolve_rows(root: dict[str, Any], info: Any) -> list[dict[str, Any]]:
        return [
            {
                "keys": [None if key is None else str(key) for key in row["keys"]],
                "labels": [None if label is None else str(label) for label in row["labels"]],
                "values": [None if value is None else str(value) for value in row["values"]],
                "url": row["url"],
            }
            for row in root["rows"]
        ]


class ReportType(graphene.ObjectType):
    """A saved report."""

    plan_module: ClassVar[str] = "analytics"

    id = graphene.ID(required=True, description="The report's global id (Report:<pk>, base64).")
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    source = graphene.String(required=True, description="The record type: companies, contacts, deals …")
    definition = graphene.JSONString(required=True)
    chart = graphene.String(required=True)
    sharing = graphene.String(required=True)
    owner_id = graphene.Int(required=True)
    updated_at = graphene.DateTime(required=True)
    result = graphene.Field(
        ReportResultType,
        required=True,
        date_field=graphene.String(description="The date field that from/to apply to."),
        from_=graphene.Date(name="from", description="Records on or after this day (tenant's zone)."),
        to=graphene.Date(description="Records on or before this day (tenant's zone)."),
        owner=graphene.Int(description="Only this user's records."),
        description="The report run for the caller.",
    )
    subscriptions = graphene.List(
        graphene.NonNull(ReportSubscriptionType),
        required=True,
        description="Who receives it by e-mail (its owner sees them; empty for others).",
    )

    class Meta:
        name = "Report"

    @staticmethod
    def resolve_id(root: Report, info: Any) -> str:
        return to_global_id("Report", root.pk)

    @staticmethod
    def resolve_subscriptions(root: Report, info: Any) -> list[Any]:
        return subscriptions_of(root, require_permission(info, "analytics.view"))

    @staticmethod
    def resolve_result(root: Report, info: Any, **args: Any) -> dict[str, Any]:
        user = require_permission(info, "analytics.view")
        params = {
            "date_field": args.get("date_field"),
            "from": args.get("from_"),
            "to": args.get("to"),
            "owner": args.get("owner"),
        }
        params = {
            name: value.isoformat() if isinstance(value, date) else value for name, value in params.items() if value
        }
        try:
            return as_json(run_saved(root, user, api_access(info.context), params))
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise GraphQLError(
                f"{field}: {' '.join(messages)}", extensions={"code": "BAD_USER_INPUT", "field": field}
            ) from None


class AnalyticsReportQueries(graphene.ObjectType):
    reports = graphene.List(
        graphene.NonNull(ReportType), required=True, description="Saved reports the caller may open, in id order."
    )
    report = graphene.Field(
        ReportType, id=graphene.ID(required=True), description="A saved report by its global id (null: none)."
    )

    @staticmethod
    def resolve_reports(root: Any, info: Any) -> list[Report]:
        require_module(info, "analytics")
        user = require_permission(info, "analytics.view")
        return list(reports_for(user).order_by("id"))

    @staticmethod
    def resolve_report(root: Any, info: Any, id: str) -> Report | None:
        require_module(info, "analytics")
        user = require_permission(info, "analytics.view")
        pk = global_id_to_pk(id, "Report")
        return None if pk is None else reports_for(user).filter(pk=pk).first()
