"""URLs of the agents' case pages."""

from django.urls import path

from modules.service.views import cases, customers
from modules.service.views import messages as case_messages

app_name = "service"

urlpatterns = [
    path("cases/", cases.case_list, name="case-list"),
    path("cases/new/", cases.case_create, name="case-create"),
    path("cases/bulk/", cases.case_bulk, name="case-bulk"),
    path("cases/views/", cases.case_view_save, name="case-view-save"),
    path("cases/views/<int:pk>/delete/", cases.case_view_delete, name="case-view-delete"),
    path("cases/<int:pk>/", cases.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="case-edit"),
    path("cases/<int:pk>/delete/", cases.case_delete, name="case-delete"),
    path("cases/<int:pk>/change/", cases.case_change, name="case-change"),
    path("cases/<int:pk>/messages/", case_messages.case_message, name="case-message"),
    path("cases/<int:pk>/files/<int:attachment_pk>/", case_messages.case_attachment, name="case-attachment"),
    path(
        "customers/company/<int:pk>/cases/",
        customers.customer_cases_card,
        {"subject": "company"},
        name="customer-cases-company",
    ),
    path(
        "customers/contact/<int:pk>/cases/",
        customers.customer_cases_card,
        {"subject": "contact"},
        name="customer-cases-contact",
    ),
]
