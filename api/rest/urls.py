from csp.constants import SELF
from csp.decorators import csp_update
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api.rest.activities import views as activity_views
from api.rest.activities.mail import MailMessageViewSet, MailThreadViewSet, MeetingAttendeeViewSet
from api.rest.analytics.basket import BasketRulesView
from api.rest.analytics.contact_lists import ContactListsView
from api.rest.analytics.customer_value import CustomerValuesView, RfmSegmentsView
from api.rest.analytics.dashboards import DashboardViewSet, DashboardWidgetViewSet
from api.rest.analytics.funnel import SalesFunnelView
from api.rest.analytics.report_subscriptions import ReportSubscriptionViewSet
from api.rest.analytics.reports import ReportSourcesView, ReportViewSet
from api.rest.analytics.sales_breakdown import SalesBreakdownView
from api.rest.analytics.warehouse import WarehouseExportViewSet
from api.rest.analytics.workflows import WorkflowSelectionsView, WorkflowSelectionView
from api.rest.contacts import views as contact_views
from api.rest.identity import views as identity_views
from api.rest.knowledge.articles import ArticleViewSet
from api.rest.marketing.campaigns import CampaignMemberViewSet, CampaignViewSet
from api.rest.marketing.collateral import CollateralItemViewSet
from api.rest.marketing.consent import ConsentEventViewSet, ConsentViewSet, SuppressionViewSet, TopicViewSet
from api.rest.marketing.emails import MarketingEmailViewSet
from api.rest.marketing.forms import FormSubmissionViewSet, WebFormViewSet
from api.rest.marketing.recipients import RecipientViewSet
from api.rest.marketing.scoring import LeadScoreViewSet, ScoreThresholdViewSet, ScoringRuleViewSet
from api.rest.marketing.segments import SegmentViewSet
from api.rest.marketing.surveys import ResponseViewSet, SurveyViewSet
from api.rest.marketing.touches import CampaignTouchViewSet, record_touches_view
from api.rest.openapi import views as openapi_views
from api.rest.sales import views as sales_views
from api.rest.sales.orders import OrderViewSet
from api.rest.service.cases import CaseCategoryViewSet, CaseStatusViewSet, CaseViewSet
from api.rest.service.contact_centre import CallViewSet, CsatAnswerViewSet, SmsMessageViewSet
from api.rest.service.desk import AssignmentRuleViewSet, CannedResponseViewSet
from api.rest.service.portal_users import PortalUserViewSet
from api.rest.service.sla import BusinessCalendarViewSet, CalendarHolidayViewSet, SlaPolicyViewSet

router = SimpleRouter()
router.register("users", identity_views.UserViewSet, basename="user")
for viewset in (
    contact_views.CompanyViewSet,
    contact_views.ContactViewSet,
    activity_views.ActivityViewSet,
    sales_views.LeadViewSet,
    sales_views.DealViewSet,
    OrderViewSet,
    CaseViewSet,
    ArticleViewSet,
    CampaignViewSet,
    CampaignMemberViewSet,
    CampaignTouchViewSet,
    WebFormViewSet,
    FormSubmissionViewSet,
    SurveyViewSet,
    ResponseViewSet,
    TopicViewSet,
    SegmentViewSet,
    CollateralItemViewSet,
    MarketingEmailViewSet,
    SlaPolicyViewSet,
    BusinessCalendarViewSet,
    CalendarHolidayViewSet,
    CallViewSet,
    SmsMessageViewSet,
    CsatAnswerViewSet,
    AssignmentRuleViewSet,
    CannedResponseViewSet,
    PortalUserViewSet,
    MailThreadViewSet,
    MailMessageViewSet,
    MeetingAttendeeViewSet,
):
    router.register(viewset.entity.rest_path, viewset, basename=viewset.entity.name)
router.register("tags", contact_views.TagViewSet, basename="tag")
router.register("marketing-email-recipients", RecipientViewSet, basename="marketing-email-recipient")
router.register("pipelines", sales_views.PipelineViewSet, basename="pipeline")
router.register("lost-reasons", sales_views.LostReasonViewSet, basename="lost-reason")
router.register("products", sales_views.ProductViewSet, basename="product")
router.register("quotes", sales_views.QuoteViewSet, basename="quote")
router.register("case-statuses", CaseStatusViewSet, basename="case-status")
router.register("case-categories", CaseCategoryViewSet, basename="case-category")
router.register("consents", ConsentViewSet, basename="consent")
router.register("consent-events", ConsentEventViewSet, basename="consent-event")
router.register("suppressions", SuppressionViewSet, basename="suppression")
router.register("scoring-rules", ScoringRuleViewSet, basename="scoring-rule")
router.register("score-thresholds", ScoreThresholdViewSet, basename="score-threshold")
router.register("lead-scores", LeadScoreViewSet, basename="lead-score")
router.register("analytics/reports", ReportViewSet, basename="analytics-report")
router.register("analytics/report-subscriptions", ReportSubscriptionViewSet, basename="analytics-report-subscription")
router.register("analytics/dashboards", DashboardViewSet, basename="analytics-dashboard")
router.register(
    r"analytics/dashboards/(?P<dashboard_pk>[0-9]+)/widgets",
    DashboardWidgetViewSet,
    basename="analytics-dashboard-widget",
)
router.register("analytics/warehouse-exports", WarehouseExportViewSet, basename="analytics-warehouse-export")

app_name = "api"

urlpatterns = [
    path("me", identity_views.me, name="me"),
    path("schema/", openapi_views.TenantSchemaView.as_view(), name="schema"),
    path("docs/", openapi_views.SwaggerView.as_view(), name="docs"),
    # Redoc's search runs in a worker it creates from a blob: URL.
    path("redoc/", csp_update({"worker-src": [SELF, "blob:"]})(openapi_views.RedocView.as_view()), name="redoc"),
    path("analytics/basket/rules/", BasketRulesView.as_view(), name="analytics-basket-rules"),
    path("analytics/funnel/", SalesFunnelView.as_view(), name="analytics-funnel"),
    path("analytics/sales-breakdown/", SalesBreakdownView.as_view(), name="analytics-sales-breakdown"),
    path("analytics/customer-values/", CustomerValuesView.as_view(), name="analytics-customer-values"),
    path("analytics/rfm/segments/", RfmSegmentsView.as_view(), name="analytics-rfm-segments"),
    path("analytics/report-sources/", ReportSourcesView.as_view(), name="analytics-report-sources"),
    path("analytics/workflow-selections/", WorkflowSelectionsView.as_view(), name="analytics-workflow-selections"),
    path("analytics/contact-lists/", ContactListsView.as_view(), name="analytics-contact-lists"),
    path(
        "analytics/workflow-selections/<int:pk>/",
        WorkflowSelectionView.as_view(),
        name="analytics-workflow-selection",
    ),
    # The campaign touches that count for a record (marketing): beside the record's own routes.
    path("contacts/<int:pk>/campaign-touches/", record_touches_view("contact"), name="contact-campaign-touches"),
    path("leads/<int:pk>/campaign-touches/", record_touches_view("lead"), name="lead-campaign-touches"),
    path("deals/<int:pk>/campaign-touches/", record_touches_view("deal"), name="deal-campaign-touches"),
    path("", include(router.urls)),
]
