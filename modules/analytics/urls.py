from django.urls import include, path

from modules.analytics.basket import views as basket
from modules.analytics.funnel import views as funnel
from modules.analytics.reports import views as reports
from modules.analytics.reports.delivery import views as deliveries
from modules.analytics.sales_breakdown import views as sales_breakdown
from modules.analytics.views import index, team_activity

app_name = "analytics"

urlpatterns = [
    path("", index.index, name="index"),
    path("funnel/", funnel.funnel_page, name="funnel"),
    path("sales/", sales_breakdown.sales_breakdown_page, name="sales-breakdown"),
    path("team-activity/", team_activity.team_activity, name="team-activity"),
    path("basket/", basket.rules, name="basket"),
    path("basket/settings/", basket.thresholds, name="basket-settings"),
    path("basket/products/<int:pk>/", basket.product_card, name="basket-product"),
    path("basket/companies/<int:pk>/", basket.company_card, name="basket-company"),
    path("basket/deals/<int:pk>/", basket.deal_card, name="basket-deal"),
    path("reports/", reports.report_list, name="report-list"),
    path("reports/new/", reports.report_new, name="report-new"),
    path("reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report-edit"),
    path("reports/<int:pk>/delete/", reports.report_delete, name="report-delete"),
    path("reports/<int:pk>/export.<str:file_format>", reports.report_export, name="report-export"),
    path("reports/<int:pk>/deliveries/new/", deliveries.subscription_new, name="report-subscription-new"),
    path(
        "reports/<int:pk>/deliveries/<int:subscription_pk>/edit/",
        deliveries.subscription_edit,
        name="report-subscription-edit",
    ),
    path(
        "reports/<int:pk>/deliveries/<int:subscription_pk>/delete/",
        deliveries.subscription_delete,
        name="report-subscription-delete",
    ),
    path("", include("modules.analytics.customer_value.urls")),
]
