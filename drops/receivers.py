"""The drops app's answers to the accounts' news about a customer's personal data (connected in
`DropsConfig.ready`)."""

from django.dispatch import receiver

from accounts.signals import personal_data_erasing, personal_data_requested
from drops.models import QueueEntry


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


@receiver(personal_data_erasing, dispatch_uid="drops.personal_data_erase_queue")
def personal_data_erase_queue(sender, *, user, **kwargs) -> None:
    """A place keeps its slot (the queue's fairness can be checked afterwards) but not the client's address."""
    QueueEntry.objects.filter(user=user).update(ip=None)
