"""Who hears of a wave's status change. The orders app texts the customers of a wave's live orders (its
receiver of `wave_status_changed`) and registers here how many they are, so the back office can name the number
before staff confirm a change (preorders does not import orders)."""

from collections.abc import Callable

_counters: list[Callable] = []


def wave_audience_register(counter: Callable) -> None:
    """`counter(wave=...)` → how many customers a status change of the wave texts."""
    if counter not in _counters:
        _counters.append(counter)


def wave_audience_count(*, wave) -> int:
    return sum(counter(wave=wave) for counter in _counters)
