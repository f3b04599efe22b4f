"""Refusals of the preorder rules: waves that cannot take the units, wave changes the rules do not allow."""

from config.errors import ConflictError, DomainError


class WaveCapacityExceeded(ConflictError):
    """The preorder waves together have fewer free units than asked."""

    code = "waves_full"
    default_message = "В волнах предзаказа не осталось столько мест."


class WaveTransitionRefused(ConflictError):
    code = "invalid_wave_transition"
    default_message = "Статус волны можно менять только вперёд."


class WaveChangeRefused(DomainError):
    """Staff asked for a wave change the rules do not allow (a wave for an in-stock product, a bad capacity)."""

    code = "wave_change_refused"
    default_message = "Волну нельзя изменить так."


class WaitlistRefused(ConflictError):
    """Nothing to wait for: the size is on hand or the product takes orders now."""

    code = "waitlist_not_needed"
    default_message = "Товар можно заказать сейчас."
