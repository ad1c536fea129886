from django.urls import path

from modules.dataio.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/preview/", views.preview_page, name="preview"),
    path("<int:pk>/missing-companies/", views.choose_missing_companies, name="missing-companies"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/errors.csv", views.error_report, name="errors"),
    path("<int:pk>/file/", views.original_file, name="file"),
    path("<int:pk>/undo/", views.undo, name="undo"),
]
