from rest_framework.routers import SimpleRouter

from delivery.api import DeliveryViewSet

router = SimpleRouter()
router.register("delivery", DeliveryViewSet, basename="delivery")

urlpatterns = router.urls
