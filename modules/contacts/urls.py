from django.urls import path

from modules.contacts import views

app_name = "contacts"

urlpatterns = [
    path("contacts/company-list/", views.placeholder, name="company-list"),
    path("contacts/contact-list/", views.placeholder, name="contact-list"),
]
