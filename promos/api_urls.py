from rest_framework.routers import SimpleRouter

from promos.api import PromoCodeViewSet

router = SimpleRouter()
router.register("promo-codes", PromoCodeViewSet, basename="promo-code")

urlpatterns = router.urls
