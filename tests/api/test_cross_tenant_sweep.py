"""Every REST route and GraphQL field that takes an id, called with alpha's API key and beta's ids:
REST answers 404 (a bulk update names the item as not found), GraphQL answers null or an error,
and beta's schema is unchanged.

Routes come from alpha's OpenAPI document (checked against the URL resolver, so an undocumented
route fails here), fields and node types from alpha's GraphQL schema: a new route or field is swept
without editing this file, and one whose ids this file cannot supply fails it."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Max
from django.test import Client
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)
from graphql_relay import to_global_id

from api.graphql.custom_fields.schema import tenant_schema
from customization.workflows.models import SelectionRun, WorkflowRule
from identity.models import User
from identity.services.api_keys import create_api_key, known_scopes
from modules.activities.models import Activity, ActivityAttendee
from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.services import add_widget, create_dashboard
from modules.analytics.reports.models import Report, ReportSubscription
from modules.analytics.reports.services import create_report
from modules.analytics.warehouse.models import WarehouseExport
from modules.collaboration.models import Attachment
from modules.contacts.models import Company, Contact, Tag
from modules.mailboxes.models import MailMessage, MailThread
from modules.marketing.attribution.models import Touch
from modules.marketing.attribution.services import record_touch
from modules.marketing.collateral.models import CollateralItem, CollateralVersion
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.consent.services import record_consent, suppress
from modules.marketing.delivery.models import Recipient
from modules.marketing.models import (
    Campaign,
    CampaignMember,
    MarketingEmail,
    Segment,
    SegmentMember,
    Suppression,
    Topic,
)
from modules.marketing.scoring.models import Score, ScoreThreshold, ScoringRule
from modules.marketing.segments.services import create_segment
from modules.marketing.services.campaigns import add_members, create_campaign
from modules.marketing.surveys.models import Question, Survey
from modules.marketing.surveys.models import Response as SurveyResponse
from modules.marketing.webforms.models import Submission, WebForm
from modules.marketing.webforms.services.forms import create_form
from modules.marketing.webforms.services.submissions import Visit, submit
from modules.sales.models import (
    Deal,
    Lead,
    LostReason,
    Order,
    OrderLine,
    Pipeline,
    Product,
    Quote,
    QuoteLine,
    QuoteShare,
    Stage,
)
from modules.sales.services.orders import create_order
from modules.sales.services.quote_sharing import share_quote
from modules.sales.services.quotes import add_line, create_quote
from modules.service.contact_centre.models import Call, CsatSurvey, SmsMessage
from modules.service.desk.models import AssignmentRule, CannedResponse
from modules.service.desk.services.assignment import create_rule
from modules.service.desk.services.canned import create_canned_response
from modules.service.knowledge.models import Article, KnowledgeCategory
from modules.service.knowledge.services.articles import create_article, publish_article
from modules.service.knowledge.services.categories import create_category
from modules.service.models import Case, CaseAttachment, CaseCategory, CaseMessage, CaseStatus
from modules.service.portal.models import PortalUser
from modules.service.services.cases import add_message, create_case
from modules.service.sla.models import BusinessCalendar, CalendarHoliday, SlaPolicy
from modules.service.sla.services.calendars import add_holiday, save_calendar
from modules.service.sla.services.policies import save_policy
from tests.api.helpers import create_users
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    PipelineFactory,
    ProductFactory,
    TagFactory,
)
from tests.mailboxes.sweep_data import sweep_mail_message
from tests.marketing.surveys.sweep_data import survey_and_response
from tests.routes import url_routes
from tests.tenancy import TenantFixture, schema_snapshot

# The record behind each REST resource and each extra path parameter.
RESOURCES: dict[str, type[models.Model]] = {
    "users": User,
    "companies": Company,
    "contacts": Contact,
    "tags": Tag,
    "activities": Activity,
    "leads": Lead,
    "deals": Deal,
    "pipelines": Pipeline,
    "lost-reasons": LostReason,
    "products": Product,
    "quotes": Quote,
    "orders": Order,
    "cases": Case,
    "articles": Article,
    "campaigns": Campaign,
    "campaign_members": CampaignMember,
    "campaign-touches": Touch,
    "segments": Segment,
    "collateral_items": CollateralItem,
    "marketing-emails": MarketingEmail,
    "marketing-email-recipients": Recipient,
    "case-statuses": CaseStatus,
    "case-categories": CaseCategory,
    "web-forms": WebForm,
    "form-submissions": Submission,
    "analytics/reports": Report,
    "analytics/report-subscriptions": ReportSubscription,
    "analytics/dashboards": Dashboard,
    "analytics/workflow-selections": SelectionRun,
    "analytics/warehouse-exports": WarehouseExport,
    "surveys": Survey,
    "survey-responses": SurveyResponse,
    "topics": Topic,
    "consents": Consent,
    "consent-events": ConsentEvent,
    "suppressions": Suppression,
    "scoring-rules": ScoringRule,
    "score-thresholds": ScoreThreshold,
    "lead-scores": Score,
    "sla-policies": SlaPolicy,
    "business-calendars": BusinessCalendar,
    "calendar-holidays": CalendarHoliday,
    "calls": Call,
    "sms-messages": SmsMessage,
    "csat-answers": CsatSurvey,
    "assignment-rules": AssignmentRule,
    "canned-responses": CannedResponse,
    "portal-users": PortalUser,
    "mail-threads": MailThread,
    "mail-messages": MailMessage,
    "meeting-attendees": ActivityAttendee,
}
PATH_PARAMETERS: dict[str, type[models.Model]] = {
    "line_id": QuoteLine,
    "order_line_id": OrderLine,
    "share_id": QuoteShare,
    "file_id": Attachment,
    "dashboard_pk": Dashboard,
    "message_id": CaseMessage,
    "attachment_id": CaseAttachment,
    "version_id": CollateralVersion,
}
# Routes nested under a resource whose ``{id}`` is another record's.
NESTED_IDS: dict[str, type[models.Model]] = {"/widgets/{id}/": Widget}
# The record behind each GraphQL node type, and behind ID arguments named after a relation.
NODE_MODELS: dict[str, type[models.Model]] = {
    "User": User,
    "Company": Company,
    "Contact": Contact,
    "Tag": Tag,
    "Activity": Activity,
    "Lead": Lead,
    "Deal": Deal,
    "Pipeline": Pipeline,
    "Stage": Stage,
    "LostReason": LostReason,
    "Product": Product,
    "Quote": Quote,
    "QuoteLine": QuoteLine,
    "QuoteShare": QuoteShare,
    "Order": Order,
    "OrderLine": OrderLine,
    "Case": Case,
    "CaseMessage": CaseMessage,
    "CaseAttachment": CaseAttachment,
    "CaseStatus": CaseStatus,
    "CaseCategory": CaseCategory,
    "Article": Article,
    "KnowledgeCategory": KnowledgeCategory,
    "Campaign": Campaign,
    "CampaignMember": CampaignMember,
    "CampaignTouch": Touch,
    "Segment": Segment,
    "SegmentMember": SegmentMember,
    "CollateralItem": CollateralItem,
    "MarketingEmail": MarketingEmail,
    "MarketingEmailRecipient": Recipient,
    "WebForm": WebForm,
    "FormSubmission": Submission,
    "Survey": Survey,
    "SurveyQuestion": Question,
    "SurveyResponse": SurveyResponse,
    "Topic": Topic,
    "Consent": Consent,
    "ConsentEvent": ConsentEvent,
    "Suppression": Suppression,
    "ScoringRule": ScoringRule,
    "ScoreThreshold": ScoreThreshold,
    "LeadScore": Score,
    "SlaPolicy": SlaPolicy,
    "BusinessCalendar": BusinessCalendar,
    "CalendarHoliday": CalendarHoliday,
    "Call": Call,
    "SmsMessage": SmsMessage,
    "CsatAnswer": CsatSurvey,
    "AssignmentRule": AssignmentRule,
    "CannedResponse": CannedResponse,
    "PortalUser": PortalUser,
    "MailThread": MailThread,
    "MailMessage": MailMessage,
    "MeetingAttendee": ActivityAttendee,
}
# Types that are no relay node but whose root field takes a global id (``report(id:)``).
GLOBAL_ID_MODELS: dict[str, type[models.Model]] = {
    "Report": Report, "ReportSubscription": ReportSubscription, "Dashboard": Dashboard, "DashboardWidget": Widget,
    "Segment": Segment,
}  # fmt: skip
# ``record`` (notes and following) takes any record that carries them: an order stands for all.
ID_ARGUMENTS = {
    "owner": "User",
    "thread": "MailThread",
    "assignee": "User",
    "lostReason": "LostReason",
    "product": "Product",
    "record": "Order",
    "status": "CaseStatus",
    "category": "CaseCategory",
    "agent": "User",
    "calendar": "BusinessCalendar",
    "translationOf": "Article",
    "campaign": "Campaign",
    "parent": "Campaign",
    "form": "WebForm",
    "email": "MarketingEmail",
    "contacts": "Contact",
}
HTTP_METHODS = ("get", "post", "patch", "put", "delete")


def beta_records(alpha: TenantFixture, beta: TenantFixture) -> dict[type[models.Model], models.Model]:
    """One record of every kind in beta, each with an id no record of alpha has (the tenants' users
    share ids by design, so beta's sequences are moved past alpha's rows first)."""
    kinds = (
        set(RESOURCES.values()) | set(PATH_PARAMETERS.values()) | set(NODE_MODELS.values())
        | set(GLOBAL_ID_MODELS.values()) | set(NESTED_IDS.values())
    )  # fmt: skip
    with alpha.active():
        alpha_max = {kind: kind._default_manager.aggregate(top=Max("pk"))["top"] or 0 for kind in kinds}
    with beta.active(), connection.cursor() as cursor:
        for kind in kinds:
            beta_max = kind._default_manager.aggregate(top=Max("pk"))["top"] or 0
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [kind._meta.db_table, max(alpha_max[kind], beta_max) + 1000],
            )
        user = create_users(1, prefix="sweep")[0]
        company = CompanyFactory(name="Beta Sweep Co", owner=user)
        deal = DealFactory(name="Beta Sweep Deal", company=company)
        pipeline = PipelineFactory(name="Beta Sweep Pipeline")
        quote = create_quote(deal=deal, by=None)
        line = add_line(quote, by=None, description="Beta sweep line", unit_price=Decimal("1.00"))
        share, _token = share_quote(quote, by=user)
        order = create_order(by=None, company=company, lines=[{"description": "Beta sweep", "unit_price": "1.00"}])
        report = create_report(by=user, name="Beta sweep report", source="deals", sharing="everyone",
                               definition={"measures": [{"fn": "count"}]})  # fmt: skip
        # A row is enough: every request is refused before the subscription is read.
        subscription = ReportSubscription.objects.create(report=report, frequency="daily", hour=8,
                                                         next_run_at=report.created_at)  # fmt: skip
        status = CaseStatus.objects.create(key="beta-sweep", label="Beta sweep", category="new", position=50)
        case = create_case(by=None, subject="Beta sweep case", status=status)
        attachment = CaseAttachment(storage_key="attachments/beta/case.txt", name="case.txt",
                                    content_type="text/plain", size=5)  # fmt: skip
        add_message(case, by=None, author_kind="customer", body_text="Beta sweep", attachments=[attachment])
        knowledge_category = create_category(by=user, name="Beta sweep knowledge")
        article = create_article(
            by=user,
            language="en",
            draft_title="Beta sweep article",
            draft_body="<p>Beta</p>",
            category=knowledge_category,
        )
        publish_article(article, by=user)
        web_form = create_form(by=user, name="Beta sweep form", key="beta-sweep")
        submission = submit(web_form, {"last_name": "Sweep", "email": "sweep@beta.example"}, visit=Visit())
        topic = Topic.objects.create(key="beta-sweep", name="Beta sweep topic")
        consenting = ContactFactory(first_name="Beta", last_name="Consent", email="consent@beta.example")
        consent = record_consent(consenting, topic, granted=True, source="form", proof={})
        calendar = save_calendar(None, name="Beta sweep calendar", time_zone="UTC", intervals=[(0, 540, 1020)])
        records: list[models.Model] = [
            save_policy(None, name="Beta sweep policy", targets={"normal": (60, None)}),
            calendar,
            add_holiday(calendar, day=calendar.updated_at.date(), name="Beta sweep day"),
            Call.objects.create(provider_sid="CA-beta-sweep", direction="inbound", customer_number="+4930100",
                                workspace_number="+4930200"),
            SmsMessage.objects.create(dedupe_key="beta-sweep", event="case_opened", case=case, to_number="+4930100",
                                      body="Beta sweep"),
            CsatSurvey.objects.create(case=case, email="csat@beta.example", token_hash="beta-sweep",
                                      expires_at=calendar.updated_at, rating=3, answered_at=calendar.updated_at),
            create_rule(name="Beta sweep rule", method="round_robin"),
            create_canned_response(by=user, shared=True, title="Beta sweep reply", body="Hello"),
            PortalUser.objects.create(contact=consenting, email="portal@beta.example"),
            topic,
            *([consent] if consent is not None else []),
            ConsentEvent.objects.get(contact=consenting),
            suppress("suppressed@beta.example", reason="manual", source="sweep"),
            ScoringRule.objects.create(name="Beta sweep rule", kind="behaviour", event_type="form.submitted", points=1),
            ScoreThreshold.objects.create(name="Beta sweep threshold", points=10),
            Score.objects.create(contact=consenting, total=1, updated_at=consenting.created_at),
            web_form,
            submission,
            user,
            company,
            ContactFactory(first_name="Beta", last_name="Sweep", company=company),
            TagFactory(name="beta-sweep"),
            ActivityFactory(subject="Beta sweep call"),
            LeadFactory(),
            deal,
            pipeline,
            Stage.objects.create(pipeline=pipeline, name="Beta sweep stage", probability=10),
            LostReason.objects.create(name="Beta sweep reason"),
            ProductFactory(name="Beta sweep product"),
            quote,
            line,
            share,
            order,
            order.lines.get(),
            # A row is enough: every request is refused before its file would be read.
            Attachment.objects.create(
                storage_key="attachments/beta/sweep.txt",
                name="sweep.txt",
                content_type="text/plain",
                size=5,
                order=order,
            ),
            status,
            CaseCategory.objects.create(name="Beta sweep category"),
            case,
            attachment.message,
            attachment,
            knowledge_category,
            article,
            campaign := create_campaign(by=None, name="Beta sweep campaign", owner=user),
            add_members(campaign, by=None, contacts=[ContactFactory(first_name="Beta", last_name="Member")])[0],
            record_touch(campaign, kind="visit", contact=ContactFactory(first_name="Beta", last_name="Touched")),
            beta_list := create_segment(by=user, name="Beta sweep list", kind="static"),
            SegmentMember.objects.create(segment=beta_list, contact=ContactFactory(last_name="Listed")),
            collateral := CollateralItem.objects.create(title="Beta sweep collateral"),
            # A row is enough: every request is refused before its file would be read.
            CollateralVersion.objects.create(
                item=collateral, number=1, storage_key="attachments/beta/collateral.txt", filename="c.txt",
                content_type="text/plain", size=5,
            ),
            beta_email := MarketingEmail.objects.create(name="Beta sweep e-mail", subject="Hello"),
            Recipient.objects.create(email=beta_email, address="beta-sweep@people.example", message_id="<beta>"),
            report,
            subscription,
            dashboard := create_dashboard(by=user, name="Beta sweep dashboard", sharing="everyone"),
            add_widget(dashboard, by=user, report=report),
            SelectionRun.objects.create(
                rule=WorkflowRule.objects.create(name="Beta sweep rule", entity="company", trigger="selection"),
                version=1, entity="company", label="Beta sweep", record_ids=[company.pk], total=1,
                requested_by=user,
            ),
            # Finished, with a key under beta's prefix: refused before its file would be opened.
            WarehouseExport.objects.create(
                created_by=user, status="done", file_key=f"warehouse/{beta.tenant.schema_name}/sweep.zip"
            ),
            *(survey_rows := survey_and_response(user)),
            survey_rows[0].questions.order_by("id").first(),
            Segment.objects.create(name="Beta sweep segment", owner=user),
            mail_message := sweep_mail_message(user),
            mail_message.thread,
            ActivityAttendee.objects.create(
                activity=ActivityFactory(subject="Beta sweep meeting", kind="meeting"), email="sweep@beta.example"
            ),
        ]  # fmt: skip
    by_kind = {type(record): record for record in records}
    with alpha.active():
        for kind, record in by_kind.items():
            assert not kind._default_manager.filter(pk=record.pk).exists(), (
                f"{kind.__name__} {record.pk} is alpha's too"
            )
    return by_kind


def alpha_key_client(alpha: TenantFixture) -> Client:
    with alpha.active():
        _key, plaintext = create_api_key(user=alpha.user(), name="Sweep", scopes=sorted(known_scopes()))
    return Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


# --- REST ---------------------------------------------------------------------------------------


def _route_shape(route: str) -> str:
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route)
    route = re.sub(r"<(?:\w+:)?\w+>", "{}", route)
    return "/" + route.replace("^", "").replace("$", "").replace("\\", "")


def resolver_routes() -> set[str]:
    """Every route of the tenant URLs under /api/v1/, path parameters as ``{}``."""
    shapes = {_route_shape(found.route) for found in url_routes()}
    return {route for route in shapes if route.startswith("/api/v1/")}


def resource_of(template: str) -> str:
    """The resource a documented route belongs to: its first segment under /api/v1/, or its first
    two when they name one (``analytics/reports``, ``analytics/warehouse-exports``)."""
    path = template.removeprefix("/api/v1/")
    two = "/".join(path.split("/", 2)[:2])
    return two if two in RESOURCES else path.split("/", 1)[0]


def rest_requests(document: dict[str, Any], records: dict[type[models.Model], models.Model]) -> tuple[list, list]:
    """(method, url, body, bulk) for every operation that takes an id; and the routes lacking one."""
    requests, uncovered = [], []
    for template, item in document["paths"].items():
        resource = resource_of(template)
        for method in (name for name in item if name in HTTP_METHODS):
            names = re.findall(r"{(\w+)}", template)
            if not names and not (method == "patch" and template.endswith("/bulk/")):
                continue  # lists, creates and documents take no record of anyone's
            nested = next((kind for part, kind in NESTED_IDS.items() if part in template), None)
            kinds = [
                (nested or RESOURCES.get(resource)) if name == "id" else PATH_PARAMETERS.get(name) for name in names
            ]
            if resource not in RESOURCES or None in kinds:
                uncovered.append(f"{method.upper()} {template}")
                continue
            url = template
            for name, kind in zip(names, kinds, strict=True):
                url = url.replace(f"{{{name}}}", str(records[kind].pk))  # type: ignore[index]
            body = {"items": [{"id": records[RESOURCES[resource]].pk}]} if not names else {}
            requests.append((method, url, body, not names))
    return requests, uncovered


def test_every_rest_route_with_an_id_refuses_another_tenants_records(alpha: TenantFixture, beta: TenantFixture):
    records = beta_records(alpha, beta)
    client = alpha_key_client(alpha)
    document = client.get("/api/v1/schema/").json()
    documented = {re.sub(r"{\w+}", "{}", path) for path in document["paths"]}
    requests, uncovered = rest_requests(document, records)
    before = schema_snapshot(beta.tenant)

    answers = []
    for method, url, body, bulk in requests:
        kwargs = {"content_type": "application/json"} if method in ("post", "patch", "put") else {}
        response = getattr(client, method)(url, json.dumps(body) if kwargs else None, **kwargs)
        expected = (400, 404) if bulk else (404,)
        if response.status_code not in expected or response["Content-Type"] != "application/problem+json":
            answers.append(f"{method.upper()} {url}: {response.status_code} {response.content[:200]!r}")

    assert resolver_routes() - documented - {"/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"} == set()
    assert uncovered == []
    assert len(requests) >= 40  # every documented route with an id (activities have no timeline of their own)
    assert answers == []
    assert schema_snapshot(beta.tenant) == before


def test_betas_key_means_nothing_on_alphas_host(alpha: TenantFixture, beta: TenantFixture):
    beta_client = alpha_key_client(beta)
    stolen = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=beta_client.defaults["HTTP_AUTHORIZATION"])

    assert stolen.get("/api/v1/companies/").status_code == 401
    assert stolen.post("/graphql/", {"query": "{ me { email } }"}, content_type="application/json").status_code == 401


# --- GraphQL ------------------------------------------------------------------------------------


def _global_id(name: str, field_name: str, records: dict[type[models.Model], models.Model]) -> str | None:
    """Beta's id for argument ``name`` of ``field_name``: ``id`` is the field's own record
    (``companyUpdate`` → Company), other ID arguments the record they are named after."""
    if name == "id":
        owners = [
            type_name for type_name in NODE_MODELS if field_name.startswith(type_name[:1].lower() + type_name[1:])
        ]
        owners += [
            type_name for type_name in GLOBAL_ID_MODELS if field_name.startswith(type_name[:1].lower() + type_name[1:])
        ]
        type_name = max(owners, key=len) if owners else None
    else:
        type_name = ID_ARGUMENTS.get(name) or name[:1].upper() + name[1:]
    known = {**NODE_MODELS, **GLOBAL_ID_MODELS}
    if type_name not in known:
        return None
    return to_global_id(type_name, records[known[type_name]].pk)


def _placeholder(graphql_type: Any) -> Any:
    """Some valid value of a required argument or input field that is not an id."""
    if isinstance(graphql_type, GraphQLNonNull):
        return _placeholder(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        return []
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    if isinstance(graphql_type, GraphQLInputObjectType):
        return {
            name: _placeholder(field.type)
            for name, field in graphql_type.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is None
        }
    assert isinstance(graphql_type, GraphQLScalarType)
    return {"Int": 1, "Float": 1.0, "Boolean": False}.get(graphql_type.name, "Sweep")


def _selection(field: GraphQLField) -> str:
    returned = get_named_type(field.type)
    assert isinstance(returned, GraphQLObjectType)
    if "edges" in returned.fields:
        return "{ edges { node { id } } }"
    if "errors" in returned.fields:
        return "{ __typename errors { message } }"
    return "{ id }" if "id" in returned.fields else "{ __typename }"


def graphql_requests(schema: Any, records: dict[type[models.Model], models.Model]) -> tuple[list, list]:
    """(operation, field, document, variables) for every root field taking an id, and node lookups
    for every node type; and the fields or node types lacking an id."""
    requests, uncovered = [], []
    for type_name in sorted(name for name, graphql_type in schema.type_map.items() if _is_node(graphql_type)):
        if type_name not in NODE_MODELS:
            uncovered.append(f"node {type_name}")
            continue
        document = "query($id: ID!) { node(id: $id) { id } }"
        requests.append(
            ("query", "node", document, {"id": to_global_id(type_name, records[NODE_MODELS[type_name]].pk)})
        )
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        for field_name, field in root.fields.items():
            id_arguments = [name for name, argument in field.args.items() if get_named_type(argument.type).name == "ID"]
            if field_name == "node" or not id_arguments:
                continue
            variables = {
                name: _placeholder(argument.type)
                for name, argument in field.args.items()
                if isinstance(argument.type, GraphQLNonNull) and name not in id_arguments
            }
            for name in id_arguments:
                value = _global_id(name, field_name, records)
                if value is None:
                    uncovered.append(f"{operation} {field_name}({name})")
                variables[name] = value
            declared = ", ".join(f"${name}: {field.args[name].type}" for name in variables)
            passed = ", ".join(f"{name}: ${name}" for name in variables)
            document = f"{operation}({declared}) {{ {field_name}({passed}) {_selection(field)} }}"
            requests.append((operation, field_name, document, variables))
    return requests, uncovered


def _is_node(graphql_type: Any) -> bool:
    return isinstance(graphql_type, GraphQLObjectType) and any(
        interface.name == "Node" for interface in graphql_type.interfaces
    )


def _refused(field_name: str, body: dict[str, Any]) -> bool:
    """Null, an empty connection, a payload with errors, or an error for the field."""
    if body.get("errors"):
        return True
    value = (body.get("data") or {}).get(field_name)
    if value is None:
        return True
    if "edges" in value:
        return value["edges"] == []
    return bool(value.get("errors"))


def test_every_graphql_field_and_node_refuses_another_tenants_records(alpha: TenantFixture, beta: TenantFixture):
    records = beta_records(alpha, beta)
    client = alpha_key_client(alpha)
    with alpha.active():
        schema = tenant_schema().graphql_schema
    requests, uncovered = graphql_requests(schema, records)
    before = schema_snapshot(beta.tenant)

    answers = []
    for operation, field_name, document, variables in requests:
        response = client.post(
            "/graphql/", {"query": document, "variables": variables}, content_type="application/json"
        )
        body = response.json()
        if response.status_code >= 500 or not _refused(field_name, body):
            answers.append(f"{operation} {field_name} {variables}: {response.status_code} {json.dumps(body)[:300]}")

    assert uncovered == []
    assert sum(1 for request in requests if request[1] == "node") >= len(NODE_MODELS)
    assert sum(1 for request in requests if request[0] == "mutation") >= 10
    assert answers == []
    assert schema_snapshot(beta.tenant) == before
