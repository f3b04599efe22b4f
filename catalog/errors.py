"""Refusals of the catalog: a product staff cannot save, a cart item that names no product or size, stock short."""

from config.errors import ConflictError, DomainError


class ProductRejected(DomainError):
    code = "product_invalid"


class ItemsInvalid(DomainError):
    """The items asked for make no sense: none, too many, a quantity that is not a positive whole number."""

    code = "invalid_order"
    default_message = "Заказ заполнен неверно."


class ProductUnavailable(ItemsInvalid):
    code = "product_unavailable"
    default_message = "Товар недоступен для заказа."


class InvalidSize(ItemsInvalid):
    code = "invalid_size"
    field = "size"
    default_message = "У товара нет такого размера."


class InvalidQuantity(ItemsInvalid):
    code = "invalid_quantity"
    default_message = "Количество должно быть целым положительным числом."


class OutOfStock(ConflictError):
    """Stock (or stock and waves) cannot cover the order; `lines` names every short line, `available` the first."""

    code = "insufficient_stock"
    default_message = "Недостаточно товара на складе."
