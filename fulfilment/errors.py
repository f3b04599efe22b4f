"""Refusals of fulfilment, in the shop's one error format (see `config/errors.py`)."""

from config.errors import ConflictError, DomainError


class ShipmentRefused(ConflictError):
    """The order cannot be handed to CDEK in its state (unpaid, closed, already registered)."""

    code = "shipment_refused"
    default_message = "Этот заказ нельзя передать в СДЭК."


class ShipmentUnavailable(DomainError):
    """CDEK did not answer: nothing was lost, the same request later carries on where this one stopped."""

    status = 503
    code = "cdek_unavailable"
    default_message = "СДЭК сейчас не отвечает. Попробуйте через минуту: заказ не будет зарегистрирован дважды."


class DocumentsUnavailable(DomainError):
    status = 503
    code = "documents_unavailable"
    default_message = "СДЭК не подготовил документы вовремя. Попробуйте ещё раз через минуту."


class ReturnRejected(DomainError):
    """A return that cannot be asked for (too late, nothing chosen, more units than were bought, no reason)."""

    code = "return_invalid"
    default_message = "Такой возврат оформить нельзя."


class ReturnClosed(ConflictError):
    """The order cannot be returned now (not delivered, the window passed), or the step is not the next one."""

    code = "return_not_allowed"
    default_message = "Вернуть этот заказ сейчас нельзя."
