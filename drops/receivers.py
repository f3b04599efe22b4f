"""The drops app's answers to the accounts' news about a customer's personal data (connected in
`DropsConfig.ready`)."""

from django.dispatch import receiver

from accounts.personal_data import ERASED
from accounts.signals import personal_data_erasing, personal_data_requested
from drops.models import DrawEntry, QueueEntry


@receiver(personal_data_requested, dispatch_uid="drops.personal_data_queue")
def personal_data_queue(sender, *, user, **kwargs) -> dict:
    entries = QueueEntry.objects.filter(user=user).select_related("product").order_by("created_at", "id")
    return {
        "queue_places": [
            {
                "product": entry.product.name,
                "joined_at": entry.created_at.isoformat(),
                "place": entry.slot + 1 if entry.slot is not None else None,
                "admitted_from": entry.admit_at.isoformat() if entry.admit_at else None,
                "ip": entry.ip,
            }
            for entry in entries
        ]
    }


@receiver(personal_data_requested, dispatch_uid="drops.personal_data_draws")
def personal_data_draws(sender, *, user, **kwargs) -> dict:
    entries = DrawEntry.objects.filter(user=user).select_related("draw__product").order_by("created_at", "id")
    return {
        "draw_entries": [
            {
                "product": entry.draw.product.name,
                "entered_at": entry.created_at.isoformat(),
                "phone": entry.phone,
                "size": entry.size,
                "status": entry.status,
                "delivery_method": entry.delivery_method,
                "delivery_address": entry.delivery_address,
                "city": entry.city,
                "cdek_point": entry.cdek_point,
                "amount": f"{entry.amount:.2f}",
                "order_number": entry.order_number,
            }
            for entry in entries
        ]
    }


@receiver(personal_data_erasing, dispatch_uid="drops.personal_data_erase_draws")
def personal_data_erase_draws(sender, *, user, placeholder: str, **kwargs) -> None:
    """A draw entry keeps its rank, status and amounts (the draw stays verifiable, the money accounted for); its
    phone and address become placeholders."""
    entries = DrawEntry.objects.filter(user=user)
    entries.update(phone=placeholder)
    entries.exclude(delivery_address="").update(delivery_address=ERASED)


@receiver(personal_data_erasing, dispatch_uid="drops.personal_data_erase_queue")
def personal_data_erase_queue(sender, *, user, **kwargs) -> None:
    """A place keeps its slot (the queue's fairness can be checked afterwards) but not the client's address."""
    QueueEntry.objects.filter(user=user).update(ip=None)
