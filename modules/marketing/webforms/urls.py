"""Web forms' staff pages (``/marketing/forms/``)."""

from django.urls import path

from modules.marketing.webforms.views import staff

app_name = "marketing-forms"

urlpatterns = [
    path("", staff.form_list, name="list"),
    path("new/", staff.form_new, name="new"),
    path("<int:pk>/", staff.form_edit, name="edit"),
    path("<int:pk>/delete/", staff.form_delete, name="delete"),
    path("<int:pk>/submissions/", staff.submission_list, name="submissions"),
    path("<int:pk>/submissions/export/", staff.submission_export, name="export"),
]
