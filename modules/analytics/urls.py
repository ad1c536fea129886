from django.urls import path

from modules.analytics.basket import views as basket
from modules.analytics.views import index

app_name = "analytics"

urlpatterns = [
    path("", index.index, name="index"),
    path("basket/", basket.rules, name="basket"),
    path("basket/settings/", basket.thresholds, name="basket-settings"),
    path("basket/products/<int:pk>/", basket.product_card, name="basket-product"),
    path("basket/companies/<int:pk>/", basket.company_card, name="basket-company"),
    path("basket/deals/<int:pk>/", basket.deal_card, name="basket-deal"),
]
