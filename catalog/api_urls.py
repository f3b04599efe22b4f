from rest_framework.routers import SimpleRouter

from catalog.api import ProductViewSet

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")

urlpatterns = router.urls
