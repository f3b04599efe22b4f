"""Refusals of the ordering rules. The API answers 400 for bad input and 409 when the shop's state cannot serve."""

from config.errors import ConflictError, DomainError


class OrderInvalid(DomainError):
    """The order as asked makes no sense: no lines, too many, a quantity that is not a positive whole number."""

    code = "invalid_order"
    default_message = "Заказ заполнен неверно."


class ProductUnavailable(OrderInvalid):
    code = "product_unavailable"
    default_message = "Товар недоступен для заказа."


class InvalidSize(OrderInvalid):
    code = "invalid_size"
    default_message = "У товара нет такого размера."


class InvalidQuantity(OrderInvalid):
    code = "invalid_quantity"
    default_message = "Количество должно быть целым положительным числом."


class OutOfStock(ConflictError):
    """Stock (or stock and waves) cannot cover the order; `lines` names every short line, `available` the first."""

    code = "insufficient_stock"
    default_message = "Недостаточно товара на складе."


class WaveCapacityExceeded(ConflictError):
    """The preorder waves together have fewer free units than asked."""

    code = "waves_full"
    default_message = "В волнах предзаказа не осталось столько мест."


class InvalidTransition(ConflictError):
    code = "invalid_transition"
    default_message = "Заказ нельзя перевести в этот статус."


class OrderNotCancellable(InvalidTransition):
    code = "order_not_cancellable"
    default_message = "Отменить можно только неоплаченный заказ."
