"""Settings of the shop under benchmark: the real ones, plus the floor (see benchmarks/floor.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
