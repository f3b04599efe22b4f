from rest_framework.routers import SimpleRouter

from accounts.api import AuthViewSet, SmsAuthViewSet, UserViewSet

router = SimpleRouter()
router.register("auth", AuthViewSet, basename="auth")
router.register("auth", SmsAuthViewSet, basename="auth-sms")
router.register("users", UserViewSet, basename="users")

urlpatterns = router.urls
