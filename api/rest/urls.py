from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api.rest.identity import views as identity_views

router = SimpleRouter()
router.register("users", identity_views.UserViewSet, basename="user")

app_name = "api"

urlpatterns = [
    path("me", identity_views.me, name="me"),
    path("", include(router.urls)),
]
