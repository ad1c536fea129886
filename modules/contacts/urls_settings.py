from django.urls import path

from modules.contacts.views import exchange_rates

app_name = "exchange-rates"

urlpatterns = [
    path("", exchange_rates.exchange_rate_list, name="list"),
    path("<int:pk>/delete/", exchange_rates.exchange_rate_delete, name="delete"),
]
