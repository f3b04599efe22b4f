"""Who hears of a wave's status change. The orders app texts the customers of a wave's live orders (its
receiver of `wave_status_changed`) and registers here how many they are, so the back office can name the number
before staff confirm a change (preorders does not import orders)."""

from collections.abc import Callable

from config.russian import count_ru, plural

_counters: list[Callable] = []


def wave_audience_register(counter: Callable) -> None:
    """`counter(wave=...)` → how many customers a status change of the wave texts."""
    if counter not in _counters:
        _counters.append(counter)


def wave_audience_count(*, wave) -> int:
    return sum(counter(wave=wave) for counter in _counters)


def wave_audience_text(count: int) -> str:
    """«SMS получат 8 покупателей»: what staff are told before a change that texts `count` customers."""
    verb = "получит" if plural(count, "1", "2", "5") == "1" else "получат"
    return f"SMS {verb} {count_ru(count, 'покупатель', 'покупателя', 'покупателей')}"
