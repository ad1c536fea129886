from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api.rest import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")

app_name = "api"

urlpatterns = [
    path("me", views.me, name="me"),
    path("", include(router.urls)),
]
