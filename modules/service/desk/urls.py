"""The service desk's agent pages and endpoints: own canned responses, presence, merge and split,
agent monitoring."""

from django.urls import path

from modules.service.desk.views import canned, cases, monitoring

app_name = "service-desk"

urlpatterns = [
    path("canned-responses/", canned.personal_list, name="canned"),
    path("canned-responses/<int:pk>/", canned.personal_edit, name="canned-edit"),
    path("canned-responses/<int:pk>/delete/", canned.personal_delete, name="canned-delete"),
    path("cases/<int:case_pk>/canned-responses/<int:pk>/", canned.render_for_case, name="canned-render"),
    path("cases/<int:case_pk>/replying/", cases.replying, name="presence"),
    path("cases/<int:case_pk>/merge/", cases.merge_case, name="merge"),
    path("cases/<int:case_pk>/split/", cases.split_case, name="split"),
    path("monitoring/", monitoring.monitoring, name="monitoring"),
]
