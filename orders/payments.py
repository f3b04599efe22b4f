"""Payments through YooKassa."""


def order_payment_start(*, order_id: int) -> None:
    """Create the YooKassa payment of a placed order (called after the order commits)."""
