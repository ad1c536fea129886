"""Every surface of an optional module, found rather than listed: its pages from the URL resolver,
its REST routes from the OpenAPI document of a tenant that has it, its GraphQL root fields and
mutations from the schema. A route or field whose ids this file cannot supply is reported as
uncovered, so the tests fail until it is taught here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.urls import URLResolver, get_resolver, resolve
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLField, GraphQLNonNull, GraphQLObjectType, get_named_type
from graphql_relay import to_global_id

from api.graphql.analytics.dashboard_mutations import AnalyticsDashboardMutations
from api.graphql.analytics.mutations import AnalyticsActingMutations
from api.graphql.analytics.queries import AnalyticsQueries
from api.graphql.analytics.report_subscriptions import AnalyticsMutations
from api.graphql.knowledge.mutations import KnowledgeMutations
from api.graphql.knowledge.queries import KnowledgeQueries
from api.graphql.marketing.collateral import MarketingCollateralMutations, MarketingCollateralQueries
from api.graphql.marketing.consent import ConsentMutations, ConsentQueries
from api.graphql.marketing.email_mutations import MarketingEmailMutations
from api.graphql.marketing.emails import MarketingEmailQueries
from api.graphql.marketing.form_mutations import MarketingFormMutations
from api.graphql.marketing.forms import MarketingFormQueries
from api.graphql.marketing.mutations import MarketingMutations
from api.graphql.marketing.queries import MarketingQueries
from api.graphql.marketing.scoring import ScoringMutations, ScoringQueries
from api.graphql.marketing.segments import MarketingSegmentMutations, MarketingSegmentQueries
from api.graphql.marketing.survey_mutations import MarketingSurveyMutations
from api.graphql.marketing.surveys import MarketingSurveyQueries
from api.graphql.marketing.touches import CampaignTouchQueries
from api.graphql.sales.mutations import SalesMutations
from api.graphql.sales.queries import SalesQueries
from api.graphql.service.contact_centre import ContactCentreQueries
from api.graphql.service.desk import DeskMutations, DeskQueries
from api.graphql.service.mutations import ServiceMutations
from api.graphql.service.portal_users import PortalUserMutations, PortalUserQueries
from api.graphql.service.queries import ServiceQueries
from api.graphql.service.sla import SlaMutations, SlaQueries
from customization.workflows.models import SelectionRun, WorkflowRule
from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.services import add_widget, create_dashboard
from modules.analytics.reports.models import Report, ReportSubscription
from modules.analytics.reports.services import create_report
from modules.analytics.warehouse.models import WarehouseExport
from modules.collaboration.models import Attachment
from modules.contacts.models import Company, Contact, SavedView
from modules.marketing.attribution.models import Touch
from modules.marketing.attribution.services import record_touch
from modules.marketing.collateral.models import CollateralItem, CollateralVersion
from modules.marketing.collateral.services import share_token
from modules.marketing.consent.models import Consent, ConsentEvent, OptInRequest
from modules.marketing.consent.tokens import hash_nonce, make_opt_in_token, make_unsubscribe_token
from modules.marketing.delivery.models import Recipient
from modules.marketing.email.models import EmailTemplate, SendingDomain
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
from modules.marketing.services.campaigns import add_members, create_campaign
from modules.marketing.surveys.models import Invitation, Question, Survey
from modules.marketing.surveys.models import Response as SurveyResponse
from modules.marketing.webforms.models import Submission, WebForm
from modules.marketing.webforms.services.forms import create_form
from modules.marketing.webforms.services.submissions import Visit, submit
from modules.registry import MODULES_BY_KEY, OPTIONAL_MODULE_KEYS
from modules.sales.models import (
    Deal,
    Lead,
    LostReason,
    Order,
    OrderLine,
    Pipeline,
    PriceList,
    PriceListItem,
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
from modules.service.contact_centre.services.csat import EXPIRY, signed_token
from modules.service.contact_centre.services.csat import hash_token as hash_csat_token
from modules.service.desk.models import AssignmentRule, CannedResponse
from modules.service.desk.services.assignment import create_rule
from modules.service.desk.services.canned import create_canned_response
from modules.service.knowledge.models import Article, ArticleVersion, KnowledgeCategory
from modules.service.knowledge.services.articles import create_article, publish_article
from modules.service.knowledge.services.categories import create_category
from modules.service.mail.models import SupportAddress
from modules.service.mail.services.addresses import create_address, inbound_token
from modules.service.models import Case, CaseAttachment, CaseCategory, CaseMessage, CaseStatus
from modules.service.portal.models import PortalUser
from modules.service.services.cases import add_message, create_case
from modules.service.sla.models import BusinessCalendar, CalendarHoliday, SlaPolicy
from modules.service.sla.services.calendars import add_holiday, save_calendar
from modules.service.sla.services.policies import save_policy
from tests.api.test_cross_tenant_sweep import _is_node, _placeholder, _selection
from tests.factories import CompanyFactory, ContactFactory, DealFactory, LeadFactory, PipelineFactory, ProductFactory
from tests.marketing.surveys.sweep_data import survey_records
from tests.routes import walk_routes
from tests.tenancy import TenantFixture

# The root query and mutation classes of each optional module's GraphQL API.
GRAPHQL_ROOTS: dict[str, tuple[type, ...]] = {
    "sales": (SalesQueries, SalesMutations),
    "analytics": (AnalyticsQueries, AnalyticsMutations, AnalyticsDashboardMutations, AnalyticsActingMutations),
    "service": (
        ServiceQueries,
        ServiceMutations,
        KnowledgeQueries,
        KnowledgeMutations,
        SlaQueries,
        SlaMutations,
        ContactCentreQueries,
        DeskQueries,
        DeskMutations,
        PortalUserQueries,
        PortalUserMutations,
    ),
    "marketing": (
        MarketingQueries,
        MarketingMutations,
        MarketingFormQueries,
        MarketingFormMutations,
        MarketingSurveyQueries,
        MarketingSurveyMutations,
        ConsentQueries,
        ConsentMutations,
        ScoringQueries,
        ScoringMutations,
        MarketingSegmentQueries,
        MarketingSegmentMutations,
        MarketingCollateralQueries,
        MarketingCollateralMutations,
        MarketingEmailQueries,
        MarketingEmailMutations,
        CampaignTouchQueries,
    ),
}
# The record behind a page's path parameter: by (URL name, parameter), or by the URL name's prefix.
PAGE_PARAMETERS: dict[tuple[str, str], type[models.Model]] = {
    ("sales:board-pipeline", "pipeline_pk"): Pipeline,
    ("sales:stage-order", "stage_pk"): Stage,
    ("sales:price-list-item-delete", "pk"): PriceList,
    ("sales:price-list-item-delete", "item_pk"): PriceListItem,
    ("sales:quote-line-edit", "line_pk"): QuoteLine,
    ("sales:quote-line-delete", "line_pk"): QuoteLine,
    ("sales:order-line-edit", "line_pk"): OrderLine,
    ("sales:order-line-delete", "line_pk"): OrderLine,
    ("sales:quote-share-revoke", "share_pk"): QuoteShare,
    ("pipelines-admin:stage-edit", "stage_pk"): Stage,
    ("pipelines-admin:stage-move", "stage_pk"): Stage,
    ("pipelines-admin:stage-delete", "stage_pk"): Stage,
    # The telephony hook for "this agent's phone answered": the plan is answered before the user
    # is read, so any id will do (the call's own).
    ("contact-centre-hooks:voice-answered", "agent"): Call,
    ("service-desk:canned-render", "case_pk"): Case,
    ("service-desk:canned-render", "pk"): CannedResponse,
    ("sla-admin:holiday-delete", "holiday_pk"): CalendarHoliday,
    ("analytics:basket-product", "pk"): Product,
    ("analytics:basket-company", "pk"): Company,
    ("analytics:basket-deal", "pk"): Deal,
    ("analytics:report-subscription-edit", "subscription_pk"): ReportSubscription,
    ("analytics:report-subscription-delete", "subscription_pk"): ReportSubscription,
    ("analytics:dashboard-widget-data", "widget_pk"): Widget,
    ("analytics:dashboard-widget-change", "widget_pk"): Widget,
    ("analytics:dashboard-widget-remove", "widget_pk"): Widget,
    ("service:case-attachment", "attachment_pk"): CaseAttachment,
    ("service:case-view-delete", "pk"): SavedView,
    ("knowledge:version-restore", "version_pk"): ArticleVersion,
    ("knowledge:case-suggestions", "case_pk"): Case,
    ("marketing-surveys:survey-text-answers", "question_pk"): Question,
    ("marketing-collateral:download", "collateral_version_pk"): CollateralVersion,
    ("marketing:campaign-view-delete", "pk"): SavedView,
    ("marketing-segments:segment-view-delete", "pk"): SavedView,
    ("marketing-email:email-view-delete", "pk"): SavedView,
    ("marketing-forms:submission-view-delete", "pk"): SavedView,
    ("marketing:campaign-member-status", "member_pk"): CampaignMember,
}
PAGE_PREFIXES: dict[str, type[models.Model]] = {
    "sales:lead-": Lead,
    "sales:deal-view-": SavedView,
    "sales:deal-": Deal,
    "sales:product-": Product,
    "sales:price-list-": PriceList,
    "sales:quote-": Quote,
    "sales:order-": Order,
    "sales:purchase-history-company": Company,
    "sales:purchase-history-contact": Contact,
    "service:case-": Case,
    "marketing:campaign-": Campaign,
    "marketing:record-campaigns": Contact,
    "service:customer-cases-company": Company,
    "service:customer-cases-contact": Contact,
    "analytics:customer-value-company": Company,
    "analytics:customer-value-contact": Contact,
    "analytics:act-result": SelectionRun,
    "pipelines-admin:": Pipeline,
    "service-desk-admin:status-": CaseStatus,
    "service-desk-admin:category-": CaseCategory,
    "service-desk-admin:rule-": AssignmentRule,
    "service-desk-admin:canned-": CannedResponse,
    "service-desk:canned-": CannedResponse,
    "sla-admin:calendar": BusinessCalendar,
    "sla-admin:holiday": BusinessCalendar,
    "sla-admin:policy": SlaPolicy,
    "analytics:report-": Report,
    "analytics:dashboard-": Dashboard,
    "analytics:warehouse-": WarehouseExport,
    "knowledge:article": Article,
    "knowledge:version-": Article,
    "knowledge:category-": KnowledgeCategory,
    # A quote's public page: its parameter is the link's secret, not an id (``public_token`` below).
    "quote-public:": QuoteShare,
    "contact-centre:call-": Call,
    "contact-centre:sms-consent": Contact,
    "csat-public:": CsatSurvey,
    "service-mail-admin:": SupportAddress,
    "marketing-email:from-template": EmailTemplate,
    "marketing-email:": MarketingEmail,
    "marketing-email-admin:domain": SendingDomain,
    # A support address's inbound webhook: its parameter is the address's secret token.
    "service-mail-inbound:": SupportAddress,
    # The consent links: their parameter is a signed token (``consent_records`` below).
    "marketing-consent-public:confirm": OptInRequest,
    "marketing-consent-public:": Consent,
    "marketing-consent:topic-": Topic,
    "marketing-consent:contact-": Contact,
    "marketing-surveys:survey-view-": SavedView,
    "marketing-surveys:contact-nps": Contact,
    "marketing-surveys:": Survey,
    # A survey's public page: its parameter is the invitation link's secret.
    "survey-public:": Invitation,
    "marketing-scoring:rule": ScoringRule,
    "marketing-scoring:threshold": ScoreThreshold,
    "marketing-scoring:card": Contact,
    "marketing-collateral:": CollateralItem,
    # A share link: its parameter is the link's signed token (``public_token`` below).
    "marketing-collateral-public:": CollateralItem,
    "marketing-delivery:": MarketingEmail,
    # Tracking links: the plan is answered before the token is read, so any token will do.
    "marketing-tracking:": Recipient,
    "marketing-segments:contact-card": Contact,
    "marketing-segments:": Segment,
    "marketing-forms:": WebForm,
    # A web form's public address: its parameter is the form's key.
    "marketing-forms-public:": WebForm,
}
# The record behind a path parameter of this name on any page.
PAGE_PARAMETER_NAMES: dict[str, type[models.Model]] = {"case_pk": Case, "contact_pk": Contact, "view_pk": SavedView}
# Path parameters that are no record: a value that names something real.
PAGE_FIXED: dict[str, str] = {"file_format": "csv", "subject": "contact"}
# One route's parameter that names a registered target rather than a record.
PAGE_ROUTE_FIXED: dict[tuple[str, str], str] = {("analytics:act-contact-list", "key"): "marketing-segment"}
# Namespaces whose pages answer the plan before they read any record: any id will do.
PAGE_ANY_ID = frozenset({"portal", "portal-users"})
# Namespaces whose pages answer people outside the workspace: without the module they are a 404
# naming nothing, never the "not in your plan" page (which speaks of the workspace's plan).
PUBLIC_NAMESPACES = frozenset(
    {
        "quote-public",
        "csat-public",
        "contact-centre-hooks",
        "portal",
        "service-mail-inbound",
        "marketing-consent-public",
        "survey-public",
        "marketing-collateral-public",
        "marketing-tracking",
        "marketing-forms-public",
    }
)
# The record behind each REST resource of an optional module, and behind other path parameters.
REST_RESOURCES: dict[str, type[models.Model]] = {
    "contacts": Contact,  # a contact's campaign touches (marketing)
    "articles": Article,
    "leads": Lead,
    "deals": Deal,
    "pipelines": Pipeline,
    "lost-reasons": LostReason,
    "products": Product,
    "quotes": Quote,
    "orders": Order,
    "cases": Case,
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
}
REST_PARAMETERS: dict[str, type[models.Model]] = {
    "dashboard_pk": Dashboard,
    "line_id": QuoteLine,
    "order_line_id": OrderLine,
    "share_id": QuoteShare,
    "file_id": Attachment,
    "message_id": CaseMessage,
    "attachment_id": CaseAttachment,
    "version_id": CollateralVersion,
}
NODE_MODELS: dict[str, type[models.Model]] = {
    "Article": Article,
    "KnowledgeCategory": KnowledgeCategory,
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
    "Campaign": Campaign,
    "CampaignMember": CampaignMember,
    "CampaignTouch": Touch,
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
    "Segment": Segment,
    "SegmentMember": SegmentMember,
    "CollateralItem": CollateralItem,
}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def sales_records(tenant: TenantFixture) -> dict[type[models.Model], models.Model]:
    """One record of every kind the sales surfaces take an id of, in ``tenant``."""
    with tenant.active():
        pipeline = PipelineFactory(name="Plan gate pipeline")
        deal = DealFactory(name="Plan gate deal", owner=tenant.user())
        product = ProductFactory(name="Plan gate product")
        price_list = PriceList.objects.create(name="Plan gate list", currency="EUR")
        quote = create_quote(deal=deal, by=None)
        quote_line = add_line(quote, by=None, description="Plan gate line", unit_price=Decimal("1.00"))
        share, token = share_quote(quote, by=tenant.user())
        share.public_token = token  # type: ignore[attr-defined]  # the secret, which only the link holds
        company = deal.company or CompanyFactory(name="Plan gate company")
        order = create_order(
            by=None, company=company, owner=tenant.user(), lines=[{"description": "Plan gate", "unit_price": "1.00"}]
        )
        case = create_case(by=None, subject="Plan gate case", company=company)
        message = add_message(
            case, by=None, author_kind="agent", body_text="Plan gate",
            # A row is enough: the plan gate answers before a file would be read.
            attachments=[CaseAttachment(storage_key="attachments/plan-gate-case.txt", name="plan-gate.txt",
                                        content_type="text/plain", size=1)],
        )  # fmt: skip
        report = create_report(by=tenant.user(), name="Plan gate report", source="deals",
                               definition={"measures": [{"fn": "count"}]})  # fmt: skip
        support_address = create_address(by=None, email="plan-gate@support.example")
        support_address.public_token = inbound_token(support_address)  # type: ignore[attr-defined]
        records: list[models.Model] = [
            LeadFactory(owner=tenant.user()),
            deal,
            pipeline,
            Stage.objects.create(pipeline=pipeline, name="Plan gate stage", probability=10),
            LostReason.objects.create(name="Plan gate reason"),
            product,
            price_list,
            PriceListItem.objects.create(price_list=price_list, product=product, unit_price=Decimal("1.00")),
            quote,
            quote_line,
            share,
            SavedView.objects.create(owner=tenant.user(), entity="deal", name="Plan gate view", query={}),
            order,
            order.lines.get(),
            # A row is enough: the plan gate answers before a file would be read.
            Attachment.objects.create(
                storage_key="attachments/plan-gate.txt", name="plan-gate.txt", content_type="text/plain", size=1,
                deal=deal,
            ),
            company,
            ContactFactory(company=company),
            report,
            # A row is enough: the plan gate answers before the subscription is read.
            ReportSubscription.objects.create(report=report, frequency="daily", hour=8, next_run_at=report.created_at),
            dashboard := create_dashboard(by=tenant.user(), name="Plan gate dashboard"),
            add_widget(dashboard, by=tenant.user(), report=report),
            SelectionRun.objects.create(
                rule=WorkflowRule.objects.create(name="Plan gate rule", entity="company", trigger="selection"),
                version=1, entity="company", label="Plan gate", record_ids=[company.pk], total=1,
                requested_by=tenant.user(),
            ),
            WarehouseExport.objects.create(created_by=tenant.user()),
            case,
            message,
            message.attachments.get(),
            Call.objects.create(provider_sid="CA-plan-gate", direction="inbound", customer_number="+4989777777",
                                workspace_number="+4930123456789"),
            csat_survey(tenant),
            SmsMessage.objects.create(dedupe_key="plan-gate", event="case_opened", case=case, to_number="+4989777777",
                                      body="Plan gate"),
            PortalUser.objects.create(contact=ContactFactory(email="portal@plan-gate.example"),
                                      email="portal@plan-gate.example"),
            *knowledge_records(tenant),
            CaseStatus.objects.order_by("pk").first(),
            CaseCategory.objects.order_by("pk").first() or CaseCategory.objects.create(name="Plan gate category"),
            create_rule(name="Plan gate rule", method="round_robin"),
            create_canned_response(by=tenant.user(), shared=True, title="Plan gate", body="x"),
            calendar := save_calendar(
                None, name="Plan gate calendar", time_zone="UTC", intervals=[(0, 540, 1020)], is_default=True
            ),
            add_holiday(calendar, day=date(2030, 1, 2), name="Plan gate holiday"),
            save_policy(None, name="Plan gate policy", targets={"normal": (60, None)}),
            support_address,
            *consent_records(),
            *survey_records(tenant.user()),
            *marketing_records(tenant),
            marketing_email := MarketingEmail.objects.create(name="Plan gate e-mail", subject="Plan gate"),
            tracked_recipient(marketing_email),
            plan_segment := Segment.objects.create(name="Plan gate segment", kind="static"),
            SegmentMember.objects.create(segment=plan_segment, contact=ContactFactory()),
            campaign := create_campaign(by=None, name="Plan gate campaign", owner=tenant.user()),
            add_members(campaign, by=None, contacts=[ContactFactory()])[0],
            record_touch(campaign, kind="visit", contact=ContactFactory()),
            EmailTemplate.objects.create(name="Plan gate template"),
            SendingDomain.objects.create(domain="plan-gate.example"),
            *web_form_records(),
        ]  # fmt: skip
    return {type(record): record for record in records}


def marketing_records(tenant: TenantFixture) -> list[models.Model]:
    """One record of every kind the marketing pages take an id of, in ``tenant``."""
    # A row is enough: the plan gate answers before a file would be read.
    item = CollateralItem.objects.create(title="Plan gate collateral")
    version = CollateralVersion.objects.create(
        item=item,
        number=1,
        storage_key="attachments/plan-gate-collateral.txt",
        filename="plan-gate.txt",
        content_type="text/plain",
        size=1,
    )
    item.current_version = version
    item.save()
    item.public_token = share_token(item)  # type: ignore[attr-defined]  # the secret, which only the link holds
    return [
        ScoringRule.objects.create(name="Plan gate rule", kind="behaviour", event_type="form.submitted", points=1),
        ScoreThreshold.objects.create(name="Plan gate threshold", points=10),
        Score.objects.create(contact=ContactFactory(), total=1, updated_at=item.created_at),
        Suppression.objects.create(email="plan-gate@suppressed.example", reason="manual"),
        ConsentEvent.objects.create(
            contact=ContactFactory(), action="granted", source="staff", occurred_at=item.created_at
        ),
        item,
        version,
    ]


def tracked_recipient(email: MarketingEmail) -> Recipient:
    """A recipient of a marketing e-mail with a tracking token (``public_token``)."""
    recipient = Recipient.objects.create(email=email, address="plan-gate@people.example", message_id="<plan-gate>")
    recipient.public_token = "plan-gate"  # type: ignore[attr-defined]
    return recipient


def csat_survey(tenant: TenantFixture) -> CsatSurvey:
    """A satisfaction survey of a solved case, with the secret of its link (``public_token``)."""
    case = create_case(by=tenant.user(), subject="Plan gate case", contact=ContactFactory(email="c@example.test"))
    survey = CsatSurvey.objects.create(
        case=case, email="c@example.test", token_hash=hash_csat_token("plan-gate"), expires_at=case.created_at + EXPIRY
    )
    survey.public_token = signed_token("plan-gate")  # type: ignore[attr-defined]
    return survey


def consent_records() -> list[models.Model]:
    """A consent with its contact's unsubscribe token, a double opt-in with its confirmation token
    (``public_token``) and their topic, in the active tenant."""
    topic = Topic.objects.create(key="plan-gate", name="Plan gate topic")
    contact = ContactFactory(email="consent@example.test")
    consent = Consent.objects.create(
        contact=contact, topic=topic, status="granted", source="staff", changed_at=contact.created_at
    )
    consent.public_token = make_unsubscribe_token(contact.pk, contact.email)  # type: ignore[attr-defined]
    request = OptInRequest.objects.create(
        contact=contact, topic=topic, email=contact.email, nonce_hash=hash_nonce("plan-gate"), source="form"
    )
    request.public_token = make_opt_in_token(request.pk, "plan-gate")  # type: ignore[attr-defined]
    return [consent, request, topic]


def web_form_records() -> list[models.Model]:
    """A web form (its key is its public address's parameter) with one submission."""
    form = create_form(by=None, name="Plan gate form", key="plan-gate")
    return [form, submit(form, {"last_name": "Gate", "email": "gate@example.test"}, visit=Visit())]


def knowledge_records(tenant: TenantFixture) -> list[models.Model]:
    """A published article (with its version) in a category, in ``tenant`` (already active)."""
    by = tenant.user()
    category = create_category(by=by, name="Plan gate category")
    article = create_article(by=by, draft_title="Plan gate article", language="en", category=category)
    version = publish_article(article, by=by)
    return [category, Article.objects.get(pk=article.pk), version]


# --- Pages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    module: str
    name: str
    path: str


def module_namespaces() -> dict[str, str]:
    """URL namespace → optional module: the namespaces of the module's apps' URL configurations."""
    namespaces = {}
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace:
            module_name = getattr(pattern.urlconf_module, "__name__", "")
            for key in OPTIONAL_MODULE_KEYS:
                module = MODULES_BY_KEY[key]
                if pattern.namespace in module.url_namespaces or any(
                    module_name.startswith(f"{app}.") for app in module.apps
                ):
                    namespaces[pattern.namespace] = key
    return namespaces


def module_pages(records: dict[type[models.Model], models.Model]) -> tuple[list[Page], list[str]]:
    """Every page of an optional module with its path parameters filled; and the pages lacking one."""
    namespaces = module_namespaces()
    pages, uncovered = [], []
    for pattern in get_resolver().url_patterns:
        if not (isinstance(pattern, URLResolver) and pattern.namespace in namespaces):
            continue
        for found in walk_routes(pattern.url_patterns, str(pattern.pattern)):
            name, route = f"{pattern.namespace}:{found.pattern.name}", found.route
            path = "/" + route
            for parameter in re.findall(r"<(?:\w+:)?(\w+)>", route):
                if pattern.namespace in PAGE_ANY_ID:
                    path = re.sub(rf"<(?:\w+:)?{parameter}>", "1", path)
                    continue
                if (name, parameter) in PAGE_ROUTE_FIXED:
                    path = re.sub(rf"<(?:\w+:)?{parameter}>", PAGE_ROUTE_FIXED[(name, parameter)], path)
                    continue
                if parameter in PAGE_FIXED:
                    path = re.sub(rf"<(?:\w+:)?{parameter}>", PAGE_FIXED[parameter], path)
                    continue
                kind = (
                    PAGE_PARAMETERS.get((name, parameter))
                    or PAGE_PARAMETER_NAMES.get(parameter)
                    or next(
                        (
                            kind
                            for prefix, kind in PAGE_PREFIXES.items()
                            if name.startswith(prefix) and parameter in ("pk", "token", "key")
                        ),
                        None,
                    )
                )
                if kind is None or kind not in records:
                    uncovered.append(f"{name} ({parameter})")
                    break
                record = records[kind]
                value = (
                    getattr(record, "public_token", None)
                    if parameter == "token"
                    else getattr(record, "key", None)
                    if parameter == "key"
                    else record.pk
                )
                if value is None:
                    uncovered.append(f"{name} ({parameter})")
                    break
                path = re.sub(rf"<(?:\w+:)?{parameter}>", str(value), path)
            else:
                pages.append(Page(namespaces[pattern.namespace], name, path))
    return pages, uncovered


# --- REST ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    module: str
    method: str
    template: str
    url: str


def route_module(template: str) -> str | None:
    """The optional module whose view serves a documented route, if any."""
    view = resolve(re.sub(r"{\w+}", "1", template)).func
    module = getattr(getattr(view, "cls", None), "module", None)
    return module if module in OPTIONAL_MODULE_KEYS else None


def module_routes(document: dict[str, Any], records: dict[type[models.Model], models.Model]) -> tuple[list, list]:
    """Every operation of an optional module in ``document`` with its ids filled; and those lacking one."""
    routes, uncovered = [], []
    for template, item in document["paths"].items():
        module = route_module(template)
        if module is None:
            continue
        path = template.removeprefix("/api/v1/")
        two = "/".join(path.split("/", 2)[:2])
        resource = two if two in REST_RESOURCES else path.split("/", 1)[0]
        for method in (name for name in item if name in HTTP_METHODS):
            url = template
            for name in re.findall(r"{(\w+)}", template):
                kind = REST_RESOURCES.get(resource) if name == "id" else REST_PARAMETERS.get(name)
                if kind is None:
                    uncovered.append(f"{method.upper()} {template} ({name})")
                    break
                url = url.replace(f"{{{name}}}", str(records[kind].pk))
            else:
                routes.append(Route(module, method, template, url))
    return routes, uncovered


# --- GraphQL ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    module: str
    field: str
    document: str
    variables: dict[str, Any]


def _graphene_type(graphql_type: Any) -> Any:
    named = get_named_type(graphql_type)
    if isinstance(named, GraphQLObjectType) and "edges" in named.fields:  # a connection: its nodes
        named = get_named_type(get_named_type(named.fields["edges"].type).fields["node"].type)
    return getattr(named, "graphene_type", None)


def field_module(field: GraphQLField) -> str | None:
    """The optional module of the type a root field returns (a payload: of any of its fields)."""
    named = get_named_type(field.type)
    candidates = [field.type]
    if isinstance(named, GraphQLObjectType) and "errors" in named.fields:
        candidates += [payload_field.type for payload_field in named.fields.values()]
    for candidate in candidates:
        module = getattr(_graphene_type(candidate), "plan_module", None)
        if module:
            return str(module)
    return None


def module_operations(schema: Any, records: dict[type[models.Model], models.Model]) -> tuple[list, list]:
    """Every root field and mutation of an optional module, and a node lookup of each of its node
    types; and the fields that return a module's type without being listed in GRAPHQL_ROOTS."""
    declared_fields = {
        name: key for key, roots in GRAPHQL_ROOTS.items() for root in roots for name in _field_names(root)
    }
    operations, uncovered = [], []
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        for name, field in root.fields.items():
            module = declared_fields.get(name)
            by_type = field_module(field)
            if by_type is not None and by_type != module and name != "node":  # a delete's payload names no type
                uncovered.append(f"{operation} {name}: {by_type} by its type, {module} by GRAPHQL_ROOTS")
            if module is None:
                continue
            variables = {
                argument_name: _placeholder(argument.type)
                for argument_name, argument in field.args.items()
                if isinstance(argument.type, GraphQLNonNull)
            }
            declared_args = ", ".join(f"${arg}: {field.args[arg].type}" for arg in variables)
            passed = ", ".join(f"{arg}: ${arg}" for arg in variables)
            head = f"{operation}({declared_args})" if variables else operation
            call = f"{name}({passed})" if variables else name
            operations.append(Operation(module, name, f"{head} {{ {call} {_selection(field)} }}", variables))
    for type_name, graphql_type in schema.type_map.items():
        module = getattr(getattr(graphql_type, "graphene_type", None), "plan_module", None)
        if not module or not _is_node(graphql_type):
            continue  # a plain type of a module (an analysis's answer) is reached through its root field
        if type_name not in NODE_MODELS:
            uncovered.append(f"node {type_name}")
            continue
        global_id = to_global_id(type_name, records[NODE_MODELS[type_name]].pk)
        operations.append(Operation(module, "node", "query($id: ID!) { node(id: $id) { id } }", {"id": global_id}))
    return operations, uncovered


def _field_names(root: type) -> list[str]:
    return [to_camel_case(name) for name in root._meta.fields]  # type: ignore[attr-defined]
