"""Preorder rules: waves as the one source of truth, allocation of units, wave lifecycle, the waitlist."""

from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts.phones import phone_normalize
from catalog.models import Product
from preorders.models import PreorderWave, WaitlistEntry, WaveStatus


# --- Wave setup (staff) ---------------------------------------------------------------------------------------
@transaction.atomic
def product_sync_waves(*, product: Product) -> list[PreorderWave]:
    """Make a preorder product's waves match `preorder_waves_total` × `preorder_wave_capacity`.

    Missing waves are added; a future wave (still collecting, nothing allocated) takes the new capacity. Waves
    that already hold units are never shrunk below their count nor removed.
    """
    if not product.is_preorder or product.preorder_waves_total < 1:
        return list(product.waves.all())
    waves = {w.wave_number: w for w in PreorderWave.objects.select_for_update().filter(product=product)}
    last = max(waves, default=0)
    for number in range(last + 1, product.preorder_waves_total + 1):
        waves[number] = PreorderWave.objects.create(
            product=product, wave_number=number, capacity=product.preorder_wave_capacity
        )
    for wave in waves.values():
        if (
            wave.status == WaveStatus.COLLECTING
            and wave.current_count == 0
            and wave.capacity != product.preorder_wave_capacity
        ):
            wave.capacity = product.preorder_wave_capacity
            wave.save(update_fields=["capacity", "updated_at"])
    return sorted(waves.values(), key=lambda w: w.wave_number)


def waves_next_number(*, product: Product) -> int:
    return (product.waves.aggregate(n=Max("wave_number"))["n"] or 0) + 1


# --- Waitlist (customers) ---------------------------------------------------------------------------------------
def waitlist_join(*, product: Product, phone: str, user=None) -> WaitlistEntry:
    """Leave a phone to hear when a waiting product opens a new wave; joining twice is one entry."""
    phone = phone_normalize(phone)
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(product=product, phone=phone, user=user)
    except IntegrityError:
        return WaitlistEntry.objects.get(product=product, phone=phone)


# --- Allocation of units to waves (orders) ---------------------------------------------------------------------


# --- Wave lifecycle (staff) ----------------------------------------------------------------------------------------
