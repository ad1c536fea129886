"""Console URLs: filled in below."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
