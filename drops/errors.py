"""Refusals of a drop's start: too early, over the per-customer cap, not through the waiting room."""

from config.errors import ConflictError, DomainError


class SaleNotStarted(ConflictError):
    code = "sale_not_started"
    default_message = "Продажи ещё не начались."


class CustomerLimitExceeded(ConflictError):
    """The customer would hold more units of a product than its `max_per_customer`; `available` = how many more."""

    code = "customer_limit"
    default_message = "Превышен лимит товара в одни руки."


class QueueAdmissionRequired(DomainError):
    status = 403
    code = "queue_admission_required"
    default_message = "Сейчас покупка только через очередь: встаньте в очередь и дождитесь своей минуты."


class QueueRefused(ConflictError):
    """A place the waiting room cannot give (not open yet, too many places from one address…)."""

    code = "queue_refused"
    default_message = "Встать в очередь сейчас нельзя."


class SalePaused(ConflictError):
    """Staff paused the product's sale: orders, admissions and draw entries wait until it resumes."""

    code = "sale_paused"
    default_message = "Продажа приостановлена. Попробуйте чуть позже."


class DrawRefused(ConflictError):
    """An entry the draw cannot take: not a draw, not open yet, closed, already entered."""

    code = "draw_refused"
    default_message = "Участвовать в розыгрыше сейчас нельзя."
