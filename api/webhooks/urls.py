from django.urls import path

from api.webhooks.views import deliveries, endpoints

app_name = "webhooks"

urlpatterns = [
    path("", endpoints.endpoint_list, name="list"),
    path("new/", endpoints.endpoint_create, name="create"),
    path("<int:pk>/", endpoints.endpoint_detail, name="detail"),
    path("<int:pk>/edit/", endpoints.endpoint_edit, name="edit"),
    path("<int:pk>/delete/", endpoints.endpoint_delete, name="delete"),
    path("<int:pk>/enabled/", endpoints.endpoint_set_enabled, name="set-enabled"),
    path("<int:pk>/rotate/", endpoints.endpoint_rotate, name="rotate"),
    path("<int:pk>/test/", endpoints.endpoint_test, name="test"),
    path("<int:pk>/secrets/<int:secret_pk>/", endpoints.endpoint_secret, name="secret"),
    path("<int:pk>/deliveries/<int:delivery_pk>/", deliveries.delivery_detail, name="delivery"),
    path("<int:pk>/deliveries/<int:delivery_pk>/replay/", deliveries.delivery_replay, name="replay"),
]
