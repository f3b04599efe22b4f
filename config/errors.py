"""The base of every domain error. Services raise these; the API and the pages map them in one place."""


class DomainError(Exception):
    """A refusal the customer or staff member can read.

    `code` is a stable English identifier for clients; `message` is Russian; `status` is the HTTP status the
    API answers with; `extra` carries machine-readable details (for example `available`). `field` names the
    input the refusal is about (`promo_code`, `city`…), so a form shows it next to that field; None is the form
    as a whole. It is not part of the API's answer.
    """

    status = 400
    code = "invalid"
    default_message = "Запрос не может быть выполнен."
    field: str | None = None

    def __init__(self, message: str | None = None, *, code: str | None = None, field: str | None = None, **extra):
        self.message = message or self.default_message
        if code:
            self.code = code
        if field:
            self.field = field
        self.extra = extra
        super().__init__(self.message)

    def as_dict(self) -> dict:
        return {"detail": self.message, "code": self.code, **self.extra}


class ConflictError(DomainError):
    """The request is well formed but the shop's state cannot satisfy it (stock, waves, transitions)."""

    status = 409
    code = "conflict"
