"""Each order line keeps its share of the order's discount and its sum after it; existing lines are filled."""

from django.db import migrations, models

from config.money import from_kopecks, kopecks, split_by_largest_remainder


def fill_item_amounts(apps, schema_editor):
    """The shares the receipts used to work out on the fly: the discount (`total − final + delivery`) spread
    over the lines it applies to (a restricted code's products, else all) by largest remainder. An order whose
    lines do not explain its amount keeps undiscounted lines (it is receipted and refunded as a whole)."""
    Order = apps.get_model("orders", "Order")
    OrderItem = apps.get_model("orders", "OrderItem")
    orders = Order.objects.prefetch_related("items", "promo_code__products").order_by("pk")
    for order in orders.iterator(chunk_size=500):
        items = sorted(order.items.all(), key=lambda item: item.pk)
        if not items:
            continue
        sums = [kopecks(item.price) * item.quantity for item in items]
        discount = sum(sums) - (kopecks(order.final_amount) - kopecks(order.delivery_amount))
        shares = [0] * len(items)
        if discount > 0:
            restricted = (
                {product.pk for product in order.promo_code.products.all()} if order.promo_code_id else set()
            )
            eligible = [not restricted or item.product_id in restricted for item in items]
            if sum(s for s, ok in zip(sums, eligible, strict=True) if ok) < discount:
                eligible = [True] * len(items)
            weights = [s if ok else 0 for s, ok in zip(sums, eligible, strict=True)]
            shares = split_by_largest_remainder(discount, weights)
        for item, line_sum, share in zip(items, sums, shares, strict=True):
            item.discount_amount = from_kopecks(share)
            item.final_amount = from_kopecks(line_sum - share)
        OrderItem.objects.bulk_update(items, ["discount_amount", "final_amount"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_refund_request_key_checkout_hash"),
        ("promos", "0002_per_customer_terms"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderitem",
            name="discount_amount",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name="скидка, ₽"),
        ),
        migrations.AddField(
            model_name="orderitem",
            name="final_amount",
            field=models.DecimalField(
                decimal_places=2, default=0, max_digits=12, verbose_name="сумма со скидкой, ₽"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_item_amounts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="orderitem",
            constraint=models.CheckConstraint(
                condition=models.Q(discount_amount__gte=0), name="order_item_discount_non_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderitem",
            constraint=models.CheckConstraint(
                condition=models.Q(final_amount__gte=0), name="order_item_final_non_negative"
            ),
        ),
    ]
