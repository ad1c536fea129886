"""Web forms' staff pages (``/marketing/forms/``)."""

from django.urls import path

from modules.marketing.webforms.views import staff

app_name = "marketing-forms"

urlpatterns = [
    path("", staff.form_list, name="list"),
    path("new/", staff.form_new, name="new"),
    path("submissions/", staff.all_submissions, name="all-submissions"),
    path("submissions/views/", staff.all_submissions_view_save, name="submission-view-save"),
    path("submissions/views/<int:pk>/delete/", staff.all_submissions_view_delete, name="submission-view-delete"),
    path("<int:pk>/", staff.form_edit, name="edit"),
    path("<int:pk>/delete/", staff.form_delete, name="delete"),
    path("<int:pk>/submissions/", staff.submission_list, name="submissions"),
    path("<int:pk>/submissions/export/", staff.submission_export, name="export"),
    path("<int:pk>/submissions/views/", staff.submission_view_save, name="form-submission-view-save"),
    path(
        "<int:pk>/submissions/views/<int:view_pk>/delete/",
        staff.submission_view_delete,
        name="form-submission-view-delete",
    ),
]
