from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "modules.contacts"
    label = "contacts"
    verbose_name = "Customers"
