from rest_framework.routers import SimpleRouter

from accounts.api import AuthViewSet, UserViewSet

router = SimpleRouter()
router.register("auth", AuthViewSet, basename="auth")
router.register("users", UserViewSet, basename="users")

urlpatterns = router.urls
