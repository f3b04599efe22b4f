"""Requests named by their client: an `Idempotency-Key` header (or a form's one-time token) is kept with a hash
of the request's body. A repeat with the same body gets the first answer again; the same key with another body is
refused (422 `idempotency_key_reused`), never answered with what the first body did."""

import hashlib
import json
import re

from config.errors import DomainError

#: 1–64 printable ASCII characters (a UUID fits).
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,64}")


class IdempotencyKeyInvalid(DomainError):
    code = "invalid_idempotency_key"
    default_message = "Заголовок Idempotency-Key: от 1 до 64 печатных символов ASCII."


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"
    default_message = (
        "Этот Idempotency-Key уже использован с другим телом запроса: для нового запроса нужен новый ключ."
    )


def idempotency_key_read(request, *, required: bool = False) -> str:
    """The request's `Idempotency-Key` ("" when it sends none and none is required), checked."""
    key = request.headers.get("Idempotency-Key", "")
    if not key and required:
        raise IdempotencyKeyInvalid(
            "Нужен заголовок Idempotency-Key (например, UUID): повтор с тем же ключом не выполнит запрос дважды.",
            code="idempotency_key_required",
        )
    if key and not KEY_PATTERN.fullmatch(key):
        raise IdempotencyKeyInvalid()
    return key


def request_fingerprint(data) -> str:
    """SHA-256 of what a request asks (its validated data as canonical JSON), so the same body spelled another way
    (key order, spaces) is the same request."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def request_fingerprint_check(*, stored: str, given: str) -> None:
    """Refuse a key reused with another body. A row kept without a fingerprint (a form's token) is not judged."""
    if stored and given and stored != given:
        raise IdempotencyKeyReused()
