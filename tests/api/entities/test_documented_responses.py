"""Every operation of the OpenAPI document, called for real on alpha's records with a valid
request: it succeeds, and its status, content type and body are the documented ones. Generated
requests mostly hit ids that do not exist, so only real calls show a documented success that
the server does not give (a page documented as a record, a 201 documented as 200)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from schemathesis.core import NOT_SET
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from customization.workflows.selections import start_on_selection
from modules.activities.models import ActivityAttendee
from modules.analytics.dashboards.services import add_widget, create_dashboard
from modules.analytics.reports.delivery.services import create_subscription
from modules.analytics.reports.services import create_report
from modules.analytics.warehouse.services import run_export, start_export
from modules.collaboration.services.attachments import add_attachment
from modules.contacts.services.timeline import record_entry
from modules.marketing.attribution.services import record_touch
from modules.marketing.collateral.services import create_item
from modules.marketing.segments.services import create_segment
from modules.marketing.services.campaigns import add_members, create_campaign
from modules.marketing.surveys.services.surveys import create_survey
from modules.marketing.webforms.services.forms import create_form
from modules.marketing.webforms.services.submissions import Visit, submit
from modules.sales.models import LostReason, Pipeline, QuoteLine
from modules.sales.services.orders import create_order
from modules.sales.services.pipelines import first_open_stage
from modules.sales.services.quote_sharing import share_quote
from modules.sales.services.quotes import add_line, create_quote, set_status
from modules.service.knowledge.services.articles import create_article
from modules.service.models import CaseCategory, CaseStatus
from modules.service.services.cases import create_case
from tests.analytics.acting.conftest import selection_rule
from tests.api.contract.conftest import InProcessApp, api_key_headers, fetch_json
from tests.api.contract.conftest import wsgi_app as wsgi_app  # the fixture, shared with the contract suite
from tests.api.service.helpers import message_with_attachment
from tests.api.service.sweep_data import BODIES as SERVICE_BODIES
from tests.api.service.sweep_data import BULK_NAMES as SERVICE_BULK_NAMES
from tests.api.service.sweep_data import every_rule_reversed, service_settings_records
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    ProductFactory,
    TagFactory,
)
from tests.mailboxes.sweep_data import sweep_mail_message
from tests.marketing.consent.sweep_data import BODIES as CONSENT_BODIES
from tests.marketing.consent.sweep_data import BULK_NAMES as CONSENT_BULK_NAMES
from tests.marketing.consent.sweep_data import consent_and_scoring_records
from tests.marketing.delivery.sweep_data import EMAIL_BLOCKS, marketing_email_records
from tests.marketing.surveys.sweep_data import survey_and_response
from tests.tenancy import TenantFixture

COUNT = {"group_by": [{"field": "stage"}], "measures": [{"fn": "count"}]}
BY_STATUS = {"group_by": [{"field": "status"}]}
BY_INDUSTRY = {"group_by": [{"field": "industry"}]}
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass
class Call:
    """How to call one operation: the record its ``{id}`` names (a key of the records) and the body."""

    record: str = ""
    body: Callable[[dict[str, Any]], Any] | None = None


def _records(alpha: TenantFixture) -> dict[str, Any]:
    with alpha.active():
        owner = alpha.user()
        deal = DealFactory(owner=owner)
        pipeline = Pipeline.objects.get(pk=deal.pipeline_id)
        stages = list(pipeline.stages.filter(kind="open").order_by("position"))
        quote = create_quote(deal=deal, by=owner)
        product = ProductFactory()
        add_line(quote, by=owner, product=product)
        accepted = create_quote(deal=DealFactory(owner=owner, company=CompanyFactory(owner=owner)), by=owner)
        add_line(accepted, by=owner, product=product)
        set_status(accepted, "sent", by=owner)
        set_status(accepted, "accepted", by=owner)
        order = create_order(by=owner, company=CompanyFactory(owner=owner), lines=[{"product": product}])
        shared = create_quote(deal=DealFactory(owner=owner), by=owner)
        add_line(shared, by=owner, product=product)
        share, _token = share_quote(shared, by=owner)
        records = {
            "companies": CompanyFactory(owner=owner),
            "contacts": ContactFactory(owner=owner),
            "leads": LeadFactory(owner=owner),
            "deals": deal,
            "activities": ActivityFactory(assignee=owner),
            "tags": TagFactory(),
            "pipelines": pipeline,
            "lost-reasons": LostReason.objects.order_by("id").first(),
            "products": product,
            "quotes": quote,
            "users": owner,
            "line": QuoteLine.objects.get(quote=quote),
            "next_stage": stages[-1] if stages[-1] != deal.stage else stages[0],
            "stage": first_open_stage(pipeline),
            "convert": LeadFactory(owner=owner),
            "cancel": ActivityFactory(assignee=owner),
            "delete:companies": CompanyFactory(owner=owner),
            "delete:contacts": ContactFactory(owner=owner),
            "erase:contacts": ContactFactory(owner=owner),
            "delete:leads": LeadFactory(owner=owner),
            "delete:deals": DealFactory(owner=owner),
            "delete:activities": ActivityFactory(assignee=owner),
            "orders": order,
            "order_line": order.lines.get(),
            "accepted_quote": accepted,
            "delete:orders": create_order(by=owner, company=CompanyFactory(owner=owner)),
            "shared_quote": shared,
            "share": share,
            "reports": create_report(by=owner, name="Documented", source="deals", definition=COUNT),
            "delete:reports": create_report(by=owner, name="Deleted", source="deals", definition=COUNT),
            "by_status": create_report(by=owner, name="By status", source="deals", definition=BY_STATUS),
            "selection_rule": selection_rule(owner, entity="deal"),
            "by_industry": create_report(by=owner, name="By industry", source="companies", definition=BY_INDUSTRY),
            # The group the contact-list call saves: a company of its own industry, with a contact.
            "industry_contact": ContactFactory(
                owner=owner, company=CompanyFactory(owner=owner, industry="Documented industry")
            ),
            "articles": create_article(by=owner, draft_title="Documented article", language="en"),
            "delete:articles": create_article(by=owner, draft_title="Deleted article", language="en"),
        }
        records["campaigns"] = create_campaign(by=owner, name="Documented campaign", owner=owner)
        records["delete:campaigns"] = create_campaign(by=owner, name="Deleted campaign", owner=owner)
        records["campaign_members"] = add_members(records["campaigns"], by=owner, contacts=[ContactFactory()])[0]
        records["delete:campaign_members"] = add_members(records["campaigns"], by=owner, leads=[LeadFactory()])[0]
        records["campaign-touches"] = record_touch(records["campaigns"], kind="visit", deal=records["deals"])
        # Each create (single, then bulk) adds a contact not yet in the campaign.
        records["new_members"] = [ContactFactory(), ContactFactory()]
        records["segments"] = create_segment(by=owner, name="Documented list", kind="static")
        records["delete:segments"] = create_segment(by=owner, name="Deleted list", kind="static")
        records["listed"] = ContactFactory(owner=owner)
        brochure = SimpleUploadedFile("brochure.txt", b"Documented brochure")
        records["collateral_items"] = create_item(by=owner, title="Documented brochure", upload=brochure)
        records["collateral_version"] = records["collateral_items"].current_version
        records["delete:collateral_items"] = create_item(by=owner, title="Deleted brochure")
        records.update(marketing_email_records(owner))
        records["cases"] = create_case(by=owner, subject="Documented case", owner=owner)
        records["delete:cases"] = create_case(by=owner, subject="Deleted case", owner=owner)
        records["case-statuses"] = CaseStatus.objects.order_by("id").first()
        records["case-categories"] = CaseCategory.objects.order_by("id").first()
        records["surveys"], records["survey-responses"] = survey_and_response(owner)
        records["mail-messages"] = sweep_mail_message(owner)
        records["mail-threads"] = records["mail-messages"].thread
        records["meeting-attendees"] = ActivityAttendee.objects.create(
            activity=ActivityFactory(kind="meeting", assignee=owner), email="documented@people.example"
        )
        records["web-forms"] = create_form(by=owner, name="Documented form", key="documented-form")
        records["delete:web-forms"] = create_form(by=owner, name="Deleted form", key="deleted-form")
        records["delete:surveys"] = create_survey(by=owner, name="Deleted survey")
        records["form-submissions"] = submit(
            records["web-forms"], {"last_name": "Documented", "email": "documented@forms.example"}, visit=Visit()
        )
        records["case_attachment"] = message_with_attachment(records["cases"], by=owner)
        # A finished warehouse export, built as its task would, so its download has a file.
        records["warehouse_exports"] = run_export(start_export(user=owner).pk)
        records["dashboards"] = create_dashboard(by=owner, name="Documented board")
        records["delete:dashboards"] = create_dashboard(by=owner, name="Deleted board")
        for name in ("widgets", "delete:widgets"):
            records[name] = add_widget(records["dashboards"], by=owner, report=records["reports"])
        for name in ("subscriptions", "delete:subscriptions"):
            records[name] = create_subscription(
                report=records["reports"], by=owner, recipients=[owner], frequency="daily", hour=8, file_format="pdf"
            )
        records["selections"] = start_on_selection(
            rule=records["selection_rule"], entity="deal", record_ids=[deal.pk], by=owner, label="Documented"
        )
        records.update(consent_and_scoring_records(owner))
        records.update(service_settings_records(owner))
        for link in ("companies", "contacts", "leads", "deals"):
            record_entry(
                "updated", actor=owner, data={}, **{link[:-1] if link != "companies" else "company": records[link]}
            )
        for resource in ("companies", "contacts", "leads", "deals", "orders"):
            records[f"file:{resource}"] = add_attachment(
                record=records[resource], upload=SimpleUploadedFile("terms.txt", b"terms"), by=owner
            )
        return records


BODIES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "companies": lambda r: {"name": "Documented Co"},
    "contacts": lambda r: {"first_name": "Docu", "last_name": "Mented"},
    "leads": lambda r: {"first_name": "Docu", "last_name": "Lead", "company_name": "Docu Lead Co"},
    "deals": lambda r: {"name": "Documented deal", "pipeline": r["pipelines"].pk, "stage": r["stage"].pk},
    "activities": lambda r: {"kind": "task", "subject": "Documented task"},
    "orders": lambda r: {"company": r["companies"].pk, "lines": [{"description": "Documented", "unit_price": "9.50"}]},
    "articles": lambda r: {"draft_title": "Documented article", "language": "en"},
    "cases": lambda r: {"subject": "Documented case", "priority": "high"},
    "campaigns": lambda r: {"name": "Documented campaign", "kind": "webinar", "budget": "100.00"},
    "campaign_members": lambda r: {"campaign": r["campaigns"].pk, "contact": r["new_members"].pop().pk},
    "web-forms": lambda r: {"name": "Documented form", "key": "documented-api-form"},
    "surveys": lambda r: {"name": "Documented survey", "kind": "csat"},
    **CONSENT_BODIES,
    **SERVICE_BODIES,
    "segments": lambda r: {"name": "Documented segment", "rules": {"conditions": []}},
    "collateral_items": lambda r: {"title": "Documented item", "tags": ["pricing"]},
    "marketing-emails": lambda r: {"name": "Documented e-mail", "subject": "Hello", "content": EMAIL_BLOCKS},
}


BULK_NAMES = {
    "segments": {"name": "Bulk segment"},
    "companies": {"name": "Bulk Company"},
    "contacts": {"first_name": "Bulk", "last_name": "Person"},
    "leads": {"first_name": "Bulk", "last_name": "Prospect", "company_name": "Bulk Prospect Co"},
    "deals": {"name": "Bulk deal"},
    "web-forms": {"key": "bulk-form"},
    **CONSENT_BULK_NAMES,
    **SERVICE_BULK_NAMES,
}


def call_for(method: str, path: str) -> Call:
    """The call of one documented operation (paths as documented, without /api/v1/)."""
    resource = path.strip("/").split("/")[0]
    special: dict[tuple[str, str], Call] = {
        ("POST", "/leads/{id}/convert/"): Call("convert", lambda r: {"create_deal": False}),
        ("POST", "/deals/{id}/move/"): Call(
            "deals", lambda r: {"stage": r["next_stage"].pk, "expected_close_date": "2027-01-29", "amount": "100.00"}
        ),
        ("POST", "/activities/{id}/complete/"): Call(
            "activities", lambda r: {"follow_up": {"kind": "call", "subject": "Call back"}}
        ),
        ("POST", "/activities/{id}/cancel/"): Call("cancel"),
        ("POST", "/quotes/"): Call(body=lambda r: {"deal": r["deals"].pk}),
        ("PATCH", "/quotes/{id}/"): Call("quotes", lambda r: {"notes": "Thanks"}),
        ("POST", "/quotes/{id}/lines/"): Call("quotes", lambda r: {"description": "Setup", "unit_price": "50.00"}),
        ("PATCH", "/quotes/{id}/lines/{line_id}/"): Call("quotes", lambda r: {"product": r["products"].pk}),
        ("DELETE", "/quotes/{id}/lines/{line_id}/"): Call("quotes"),
        ("POST", "/quotes/{id}/status/"): Call("quotes", lambda r: {"status": "sent"}),
        ("POST", "/products/"): Call(body=lambda r: {"name": "Documented product", "unit_price": "10.00"}),
        ("PATCH", "/products/{id}/"): Call("products", lambda r: {"name": "Renamed product"}),
        ("POST", "/orders/from-quote/"): Call(body=lambda r: {"quote": r["accepted_quote"].pk}),
        ("POST", "/orders/{id}/lines/"): Call("orders", lambda r: {"description": "Setup", "unit_price": "5.00"}),
        ("PATCH", "/orders/{id}/lines/{order_line_id}/"): Call("orders", lambda r: {"quantity": "2"}),
        ("DELETE", "/orders/{id}/lines/{order_line_id}/"): Call("orders"),
        ("POST", "/orders/{id}/status/"): Call("orders", lambda r: {"status": "fulfilled"}),
        ("POST", "/articles/{id}/publish/"): Call("articles"),
        ("POST", "/assignment-rules/reorder/"): Call(body=every_rule_reversed),
        ("POST", "/articles/{id}/archive/"): Call("articles"),
        # Restoring a live item: archiving it would hide it from the calls that follow.
        ("POST", "/collateral_items/{id}/archive/"): Call("collateral_items", lambda r: {"archived": False}),
        ("POST", "/quotes/{id}/shares/"): Call("shared_quote"),
        ("DELETE", "/quotes/{id}/shares/{share_id}/"): Call("shared_quote"),
        ("POST", "/analytics/reports/"): Call(
            body=lambda r: {"name": "Documented", "source": "deals", "definition": COUNT}
        ),
        ("GET", "/analytics/reports/{id}/"): Call("reports"),
        ("GET", "/analytics/reports/{id}/run/"): Call("reports"),
        ("PATCH", "/analytics/reports/{id}/"): Call("reports", lambda r: {"name": "Renamed report"}),
        ("DELETE", "/analytics/reports/{id}/"): Call("delete:reports"),
        ("POST", "/analytics/report-subscriptions/"): Call(
            body=lambda r: {
                "report": r["reports"].pk,
                "recipients": [r["users"].pk],
                "frequency": "weekly",
                "weekday": 0,
                "hour": 8,
                "file_format": "csv",
            }
        ),
        ("GET", "/analytics/report-subscriptions/{id}/"): Call("subscriptions"),
        ("GET", "/analytics/report-subscriptions/{id}/deliveries/"): Call("subscriptions"),
        ("PATCH", "/analytics/report-subscriptions/{id}/"): Call("subscriptions", lambda r: {"hour": 9}),
        ("DELETE", "/analytics/report-subscriptions/{id}/"): Call("delete:subscriptions"),
        ("POST", "/analytics/dashboards/"): Call(body=lambda r: {"name": "Documented board"}),
        ("GET", "/analytics/dashboards/{id}/"): Call("dashboards"),
        ("PATCH", "/analytics/dashboards/{id}/"): Call("dashboards", lambda r: {"name": "Renamed board"}),
        ("DELETE", "/analytics/dashboards/{id}/"): Call("delete:dashboards"),
        ("POST", "/analytics/dashboards/{id}/layout/"): Call(
            "dashboards", lambda r: {"widgets": [{"id": r["widgets"].pk, "x": 0, "y": 0, "width": 6, "height": 4}]}
        ),
        ("GET", "/analytics/dashboards/{dashboard_pk}/widgets/"): Call(),
        ("POST", "/analytics/dashboards/{dashboard_pk}/widgets/"): Call(body=lambda r: {"report": r["reports"].pk}),
        ("GET", "/analytics/dashboards/{dashboard_pk}/widgets/{id}/"): Call("widgets"),
        ("GET", "/analytics/dashboards/{dashboard_pk}/widgets/{id}/data/"): Call("widgets"),
        ("PATCH", "/analytics/dashboards/{dashboard_pk}/widgets/{id}/"): Call("widgets", lambda r: {"title": "T"}),
        ("DELETE", "/analytics/dashboards/{dashboard_pk}/widgets/{id}/"): Call("delete:widgets"),
        ("POST", "/analytics/workflow-selections/"): Call(
            body=lambda r: {"workflow": r["selection_rule"].pk, "report": r["by_status"].pk, "keys": ["open"]}
        ),
        ("GET", "/analytics/workflow-selections/{id}/"): Call("selections"),
        ("POST", "/analytics/contact-lists/"): Call(
            body=lambda r: {
                "target": "marketing-segment",
                "name": "Documented analytics list",
                "report": r["by_industry"].pk,
                "keys": ["Documented industry"],
            }
        ),
        ("POST", "/analytics/warehouse-exports/"): Call(body=lambda r: {}),
        ("GET", "/analytics/warehouse-exports/{id}/"): Call("warehouse_exports"),
        ("GET", "/analytics/warehouse-exports/{id}/download/"): Call("warehouse_exports"),
        ("POST", "/cases/{id}/messages/"): Call("cases", lambda r: {"kind": "note", "body_text": "Documented note"}),
        ("POST", "/contacts/{id}/erase/"): Call("erase:contacts"),
        ("POST", "/surveys/{id}/invite/"): Call("surveys", lambda r: {"contacts": [r["contacts"].pk]}),
        ("POST", "/surveys/{id}/share-link/"): Call("surveys"),
        ("POST", "/segments/{id}/members/"): Call("segments", lambda r: {"contacts": [r["listed"].pk]}),
        ("POST", "/segments/{id}/members/remove/"): Call("segments", lambda r: {"contacts": [r["listed"].pk]}),
        ("POST", "/collateral_items/{id}/versions/"): Call(
            "collateral_items", lambda r: {"file": ("brochure-v2.txt", b"Documented, again"), "note": "Prices"}
        ),
        ("POST", "/segments/preview/"): Call(body=lambda r: {"rules": {"match": "any", "conditions": []}}),
        ("POST", "/marketing-emails/{id}/test-send/"): Call(
            "marketing-emails", lambda r: {"addresses": ["documented@tests.example"]}
        ),
        ("POST", "/marketing-emails/{id}/schedule/"): Call(
            "schedule:marketing-emails", lambda r: {"scheduled_at": "2999-01-01T10:00:00+00:00"}
        ),
        ("POST", "/marketing-emails/{id}/send/"): Call("send:marketing-emails"),
        ("POST", "/marketing-emails/{id}/cancel/"): Call("cancel:marketing-emails"),
        ("POST", "/marketing-emails/{id}/send-unconfirmed/"): Call("unconfirmed:marketing-emails"),
    }
    if (method, path) in special:
        return special[(method, path)]
    if path.endswith("/bulk/"):
        if method == "POST":  # other values than the single create's: no look-alike refusal
            return Call(body=lambda r: {"items": [{**BODIES[resource](r), **BULK_NAMES.get(resource, {})}]})
        return Call(body=lambda r: {"items": [{"id": r[resource].pk}]})
    if path.endswith("/{id}/files/") and method == "POST":
        return Call(resource, lambda r: {"file": ("documented.txt", b"documented")})
    if "{file_id}" in path or path.endswith("/{id}/follow/"):
        return Call(resource)
    if method == "DELETE":
        return Call(f"delete:{resource}")
    if method == "POST" and path.endswith("/{id}/notes/"):
        return Call(resource, lambda r: {"body": "<div>A <strong>documented</strong> note</div>"})
    if method == "POST":
        return Call(body=BODIES[resource])
    if method == "PATCH":
        return Call(resource, lambda r: {})
    return Call(resource if "{id}" in path else "")


# Writes that change what a later call reads run last, deletions after everything else, and
# sending the quote (after which its lines cannot change) at the very end.
ORDER = {"GET": 0, "PATCH": 1, "POST": 2, "DELETE": 3}


def order_of(operation: Any) -> tuple[int, bool, str]:
    path: str = operation.path
    if path.endswith("/status/"):
        return (4, False, path)
    if operation.method.upper() == "DELETE" and ("{file_id}" in path or path.endswith("/follow/")):
        return (2, False, path)  # before the records they belong to are deleted
    return (ORDER[operation.method.upper()], path.endswith("{line_id}/"), path)


def test_every_documented_operation_answers_as_documented_for_a_real_call(
    alpha: TenantFixture, wsgi_app: InProcessApp, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path  # the files the calls upload and download
    headers = api_key_headers(alpha)
    document = fetch_json(alpha, headers, "get", "/api/v1/schema/")
    schema = schemathesis.openapi.from_dict(document)
    schema.app = wsgi_app
    records = _records(alpha)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=order_of,
    )

    failures = []
    for operation in operations:
        method, path = operation.method.upper(), operation.path.removeprefix("/api/v1")
        if path == "/schema/":
            continue
        call = call_for(method, path)
        parameters: dict[str, Any] = {}
        if "{id}" in operation.path:
            parameters["id"] = records[call.record].pk
        if "{dashboard_pk}" in operation.path:
            parameters["dashboard_pk"] = records["dashboards"].pk
        if "{line_id}" in operation.path:
            parameters["line_id"] = records["line"].pk
        if "{order_line_id}" in operation.path:
            parameters["order_line_id"] = records["order_line"].pk
        if "{share_id}" in operation.path:
            parameters["share_id"] = records["share"].pk
        if "{version_id}" in operation.path:
            parameters["version_id"] = records["collateral_version"].pk
        if "{attachment_id}" in operation.path:
            attachment = records["case_attachment"]
            parameters |= {"message_id": attachment.message_id, "attachment_id": attachment.pk}
        if "{file_id}" in operation.path:
            parameters["file_id"] = records[f"file:{path.strip('/').split('/')[0]}"].pk
        multipart = path.endswith(("/{id}/files/", "/collateral_items/{id}/versions/")) and method == "POST"
        case = operation.Case(
            path_parameters=parameters or None,
            body=call.body(records) if call.body else NOT_SET,
            media_type=("multipart/form-data" if multipart else "application/json") if call.body else None,
        )
        response = case.call(base_url=f"http://{alpha.host}", headers=headers)
        if not 200 <= response.status_code < 300:
            failures.append(f"{method} {path}: {response.status_code} {response.text[:300]}")
            continue
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, FailureGroup) as error:  # FailureGroup is a BaseExceptionGroup
            failures.append(f"{method} {path}: {error}")

    assert len(operations) > 40
    assert not failures, "\n\n".join(failures)


def test_decimal_patterns_admit_only_numbers_the_server_reads(alpha: TenantFixture):
    document = fetch_json(alpha, api_key_headers(alpha), "get", "/api/v1/schema/")
    patterns: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("format") == "decimal" and isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)

    assert r"^-?\d{1,12}(?:\.\d{0,2})?$" in patterns  # a deal's amount
    for pattern in patterns:
        assert [text for text in ("", "-", ".", "-.") if re.fullmatch(pattern, text)] == [], pattern
        assert re.fullmatch(pattern, "1"), pattern
