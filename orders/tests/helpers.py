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
