"""The survey's public page: the segment after ``s/`` is a secret."""

from django.urls import path

from modules.marketing.surveys.views import public

app_name = "survey-public"

urlpatterns = [path("<str:token>/", public.survey_page, name="page")]
