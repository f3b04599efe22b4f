from catalog.models import ProductStock
from preorders.models import PreorderWave


def stock_of(product, size="M") -> int:
    return ProductStock.objects.get(product=product, size=size).quantity


def wave_counts(product) -> list[int]:
    """Units held by each wave of the product, in wave order."""
    return list(
        PreorderWave.objects.filter(product=product)
        .order_by("wave_number")
        .values_list("current_count", flat=True)
    )


def order_pay(order, fake_yookassa):
    """Pay a placed order as its customer would: the payment created, paid at the fake YooKassa, applied."""
    from orders import payments
    from orders.services import order_payment_apply, order_payment_start

    order_payment_start(order_id=order.pk)
    order.refresh_from_db()
    fake_yookassa.set_status(order.payment_id, "succeeded")
    order_payment_apply(payment=payments.payment_find(order.payment_id))
    order.refresh_from_db()
    return order
