from django.urls import path

from customization.workflows.views import dry_run, rules, runs, templates

app_name = "workflows"

urlpatterns = [
    path("", rules.rule_list, name="list"),
    path("new/", rules.rule_create, name="create"),
    path("templates/", templates.template_list, name="templates"),
    path("templates/new/", templates.template_create, name="template-create"),
    path("templates/<int:pk>/", templates.template_edit, name="template-edit"),
    path("templates/<int:pk>/delete/", templates.template_delete, name="template-delete"),
    path("<int:pk>/", rules.rule_edit, name="edit"),
    path("<int:pk>/active/", rules.rule_set_active, name="set-active"),
    path("<int:pk>/duplicate/", rules.rule_duplicate, name="duplicate"),
    path("<int:pk>/delete/", rules.rule_delete, name="delete"),
    path("<int:pk>/records/", dry_run.record_search, name="records"),
    path("<int:pk>/test/", dry_run.rule_dry_run, name="dry-run"),
    path("<int:pk>/runs/", runs.run_list, name="runs"),
    path("<int:pk>/runs/<int:run_pk>/", runs.run_detail, name="run"),
]
