from django.urls import path

from modules.service.sla.views import compliance

app_name = "sla-reports"

urlpatterns = [path("compliance/", compliance.compliance_page, name="compliance")]
