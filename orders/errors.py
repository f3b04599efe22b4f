"""Refusals of the ordering rules. The API answers 400 for bad input and 409 when the shop's state cannot serve.

Refusals about products, sizes, quantities and stock are the catalog's (`catalog.errors`); about waves, the
preorders' (`preorders.errors`).
"""

from config.errors import ConflictError, DomainError


class OrderInvalid(DomainError):
    """The order as asked makes no sense (no customer, no tracking number where one is needed)."""

    code = "invalid_order"
    default_message = "Заказ заполнен неверно."


class InvalidTransition(ConflictError):
    code = "invalid_transition"
    default_message = "Заказ нельзя перевести в этот статус."


class OrderNotCancellable(InvalidTransition):
    code = "order_not_cancellable"
    default_message = "Отменить можно только неоплаченный заказ."
