"""Settings → Service (``service.admin``): statuses, categories, assignment rules, shared canned responses."""

from django.urls import path

from modules.service.desk.views import canned, rules, statuses

app_name = "service-desk-admin"

urlpatterns = [
    path("statuses/", statuses.status_list, name="statuses"),
    path("statuses/<int:pk>/rename/", statuses.status_rename, name="status-rename"),
    path("statuses/<int:pk>/move/", statuses.status_move, name="status-move"),
    path("statuses/<int:pk>/active/", statuses.status_active, name="status-active"),
    path("statuses/<int:pk>/delete/", statuses.status_delete, name="status-delete"),
    path("categories/", statuses.category_list, name="categories"),
    path("categories/<int:pk>/rename/", statuses.category_rename, name="category-rename"),
    path("categories/<int:pk>/active/", statuses.category_active, name="category-active"),
    path("assignment/", rules.rule_list, name="rules"),
    path("assignment/<int:pk>/", rules.rule_edit, name="rule-edit"),
    path("assignment/<int:pk>/move/", rules.rule_move, name="rule-move"),
    path("assignment/<int:pk>/delete/", rules.rule_delete, name="rule-delete"),
    path("canned-responses/", canned.shared_list, name="canned"),
    path("canned-responses/<int:pk>/", canned.shared_edit, name="canned-edit"),
    path("canned-responses/<int:pk>/delete/", canned.shared_delete, name="canned-delete"),
]
