"""The satisfaction survey's public page: the segment after ``csat/`` is a secret."""

from django.urls import path

from modules.service.contact_centre.views import csat_public

app_name = "csat-public"

urlpatterns = [path("<str:token>/", csat_public.survey_page, name="page")]
