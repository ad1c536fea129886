"""A quote's public page on the tenant host: the path segment after ``quote/`` is a secret
(``crm_platform.redaction`` keeps it out of logs)."""

from django.urls import path

from modules.sales import public_quote_views as views

app_name = "quote-public"

urlpatterns = [
    path("<str:token>/", views.public_quote, name="page"),
    path("<str:token>/pdf/", views.public_quote_pdf, name="pdf"),
    path("<str:token>/logo/", views.public_quote_logo, name="logo"),
    path("<str:token>/accept/", views.public_quote_accept, name="accept"),
    path("<str:token>/decline/", views.public_quote_decline, name="decline"),
]
