from django.urls import URLPattern, URLResolver, path

from modules.dataio.exports import views

app_name = "exports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.job_list, name="list"),
    path("list/<str:entity>/<str:file_format>/", views.list_export, name="list-export"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/download/", views.download, name="download"),
    path("tenant/", views.tenant_export, name="tenant"),
]
