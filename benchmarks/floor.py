"""The floors the shop is measured against, behind the same middleware, settings and gunicorn as the shop: a bare
Django view returning a JSON body of a given size from memory (the catalog), and a bare order (`order_floor`)."""

import uuid
from decimal import Decimal
from functools import lru_cache

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@lru_cache(maxsize=64)
def _body(size: int) -> bytes:
    filler = max(size - len(b'{"floor":""}'), 0)
    return b'{"floor":"' + b"x" * filler + b'"}'


def floor(request, size: int):
    return HttpResponse(_body(min(size, 1_000_000)), content_type="application/json")


@csrf_exempt
@require_POST
def order_floor(request, product_id: int):
    """The least an order can cost here: read the buyer (the same token check as the API), insert the order and
    its item, take the unit by a conditional UPDATE, commit. Nothing else (no checks, no timeline, no payment)."""
    from django.db import transaction
    from django.db.models import F
    from rest_framework_simplejwt.authentication import JWTAuthentication

    from catalog.models import ProductStock
    from orders.models import Order, OrderItem

    user, _ = JWTAuthentication().authenticate(request)
    price = Decimal("4990.00")
    with transaction.atomic():
        order = Order(
            user=user,
            order_number=f"FLOOR-{uuid.uuid4().hex[:12]}",
            total_amount=price,
            final_amount=price,
            delivery_address="Москва, Тверская, 1",
        )
        order.save_without_historical_record(force_insert=True)
        OrderItem.objects.create(
            order=order, product_id=product_id, size="M", quantity=1, price=price, final_amount=price
        )
        # The bare UPDATE: the base manager skips the catalog's versions, which the floor does not keep.
        taken = ProductStock._base_manager.filter(product_id=product_id, size="M", quantity__gte=1).update(
            quantity=F("quantity") - 1
        )
        if not taken:
            transaction.set_rollback(True)
            return JsonResponse({"code": "insufficient_stock"}, status=409)
    return JsonResponse({"order_number": order.order_number}, status=201)
