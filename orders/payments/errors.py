"""Refusals of the payments: the API answers with their status and code like any other domain error."""

from config.errors import ConflictError, DomainError


class PaymentUnavailable(DomainError):
    """YooKassa could not be reached or refused the call; nothing was charged twice, the order is kept."""

    status = 503
    code = "payment_unavailable"
    default_message = "Платёжный сервис временно недоступен. Попробуйте ещё раз через минуту."


class PaymentCheckUnavailable(PaymentUnavailable):
    """An unpaid order was to be closed, but its payment could not be read back: nothing was changed."""

    code = "payment_check_unavailable"
    default_message = "Не удалось проверить оплату заказа в ЮKassa. Попробуйте ещё раз через минуту."


class PaymentNotFound(PaymentUnavailable):
    """The API knows no such payment (or refund)."""

    status = 404
    code = "payment_not_found"
    default_message = "Платёж не найден в ЮKassa."


class OrderNotPayable(ConflictError):
    code = "order_not_payable"
    default_message = "Этот заказ нельзя оплатить."


class OrderAlreadyPaid(OrderNotPayable):
    code = "order_already_paid"
    default_message = "Заказ уже оплачен."


class OrderNotRefundable(ConflictError):
    code = "order_not_refundable"
    default_message = "Вернуть деньги можно только за оплаченный заказ."


class NotificationRejected(DomainError):
    """A notification body that is not a YooKassa notification about a payment of this shop."""

    code = "invalid_notification"
    default_message = "Уведомление не распознано."
