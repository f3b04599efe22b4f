from rest_framework.routers import SimpleRouter

from pages.api import PageViewSet

router = SimpleRouter()
router.register("pages", PageViewSet, basename="page")

urlpatterns = router.urls
