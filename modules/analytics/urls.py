from django.urls import include, path

from modules.analytics.acting import list_views as acting_lists
from modules.analytics.acting import views as acting
from modules.analytics.basket import views as basket
from modules.analytics.dashboards import owner_picker
from modules.analytics.dashboards import views as dashboards
from modules.analytics.dashboards import widget_views as dashboard_widgets
from modules.analytics.funnel import views as funnel
from modules.analytics.reports import views as reports
from modules.analytics.reports.delivery import views as deliveries
from modules.analytics.sales_breakdown import views as sales_breakdown
from modules.analytics.views import index, team_activity
from modules.analytics.warehouse import views as warehouse

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
    path("dashboards/", dashboards.dashboard_list, name="dashboard-list"),
    path("dashboards/new/", dashboards.dashboard_create, name="dashboard-create"),
    path("dashboards/owners/", owner_picker.owner_picker, name="dashboard-owner-picker"),
    path("dashboards/<int:pk>/", dashboards.dashboard_detail, name="dashboard-detail"),
    path("dashboards/<int:pk>/settings/", dashboards.dashboard_settings, name="dashboard-settings"),
    path("dashboards/<int:pk>/delete/", dashboards.dashboard_delete, name="dashboard-delete"),
    path("dashboards/<int:pk>/layout/", dashboard_widgets.layout_save, name="dashboard-layout"),
    path("dashboards/<int:pk>/widgets/", dashboard_widgets.widget_add, name="dashboard-widget-add"),
    path(
        "dashboards/<int:pk>/widgets/<int:widget_pk>/data/",
        dashboard_widgets.widget_data,
        name="dashboard-widget-data",
    ),
    path(
        "dashboards/<int:pk>/widgets/<int:widget_pk>/change/",
        dashboard_widgets.widget_change,
        name="dashboard-widget-change",
    ),
    path(
        "dashboards/<int:pk>/widgets/<int:widget_pk>/remove/",
        dashboard_widgets.widget_remove,
        name="dashboard-widget-remove",
    ),
    path("act/", acting.start, name="act-start"),
    path("act/<int:pk>/", acting.result, name="act-result"),
    path("act/lists/<slug:key>/", acting_lists.save_as_list, name="act-contact-list"),
    path("warehouse/", warehouse.warehouse, name="warehouse"),
    path("warehouse/<int:pk>/download/", warehouse.warehouse_download, name="warehouse-download"),
    path("", include("modules.analytics.customer_value.urls")),
]
