"""Web forms' public addresses on the tenant's host (no sign-in)."""

from django.urls import path

from modules.marketing.webforms.views import public

app_name = "marketing-forms-public"

urlpatterns = [
    path("embed.js", public.embed_script, name="embed-script"),
    path("<slug:key>/", public.hosted_page, name="page"),
    path("<slug:key>/config", public.config, name="config"),
    path("<slug:key>/captcha", public.captcha, name="captcha"),
    path("<slug:key>/submit", public.submit_view, name="submit"),
    path("<slug:key>/thanks", public.thanks_page, name="thanks"),
]
