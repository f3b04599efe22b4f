"""Fulfilment reads for pages: an order's returns with their lines and refunds, in a fixed number of queries."""

from django.utils import timezone

from fulfilment.models import ReturnRequest, ReturnStatus
from fulfilment.services import return_deadline, return_instructions, return_lines


def order_returns(*, order) -> list[ReturnRequest]:
    """The order's returns, oldest first, each with `instructions` for the customer once accepted."""
    found = list(
        ReturnRequest.objects.filter(order=order)
        .select_related("order", "refund")
        .prefetch_related("lines__item__product")
        .order_by("pk")
    )
    for request in found:
        request.instructions = return_customer_instructions(request)
    return found


def return_customer_instructions(request: ReturnRequest) -> str:
    """What the customer is told to do with a return: how to send it once accepted, nothing before or after."""
    return return_instructions(request) if request.status == ReturnStatus.ACCEPTED else ""


def return_open_until(*, order):
    """Until when a return may be asked for, while one may (delivered, the window open, some units left); None
    otherwise. `return_request` refuses past the same deadline."""
    deadline = return_deadline(order)
    if deadline is None or deadline < timezone.now():
        return None
    return deadline if any(line.returnable for line in return_lines(order)) else None
